import CloudFormation

extension CacheStack {
    /// The cache's logical id, whatever its shape; deploy reads a deployed stack's by it.
    static let cacheId = "Cache"

    /// What the function needs to reach the cache, whatever its shape.
    struct CacheIds {
        /// The cache's logical id.
        let cache: String
        let securityGroup: String
        /// Where the function connects: the primary endpoint, or the configuration endpoint
        /// of a cluster (sharded or serverless).
        let address: Value
        let port: Value
        /// The client must speak the cluster protocol (slots, MOVED, ASK).
        let cluster: Bool
        let serverless: Bool

        /// `elasticache:Connect`'s resource for the cache (IAM auth).
        var connectResource: Value {
            let arn = "arn:${AWS::Partition}:elasticache:${AWS::Region}:${AWS::AccountId}"
            return .sub(serverless ? "\(arn):serverlesscache:${\(cache)}" : "\(arn):replicationgroup:${\(cache)}")
        }
    }

    /// A log group AWS services deliver to (ElastiCache logs, HTTP API access logs) goes
    /// through CloudWatch Logs' account-wide resource policy, capped at 5,120 characters:
    /// one ARN per stack would fill it after a few dozen stacks. Names under
    /// /aws/vendedlogs/ are covered by one wildcard. Unique per stack (its id's UUID, so a
    /// stack re-created under the same name never meets its predecessor's group).
    static func vendedLogGroupName(_ suffix: String) -> Value {
        .sub("/aws/vendedlogs/cachedemo/${AWS::StackName}-${StackUUID}/\(suffix)",
             ["StackUUID": .select(2, .split("/", .pseudo(.stackId)))])
    }

    /// The cache in the private subnets, one part per shape: TLS in transit, encrypted at
    /// rest, and the authentication `auth` chose (a token by dynamic reference, never a
    /// literal, or IAM).
    func addCache(to t: inout Template, network: Network.Ids, auth: CacheAuthPart) -> CacheIds {
        let cacheGroup = t.add("CacheSecurityGroup", EC2.SecurityGroup(
            groupDescription: "cachedemo cache: reachable from the function only", vpcId: network.vpc,
            // One rule that matches nothing replaces the default allow-all egress.
            securityGroupEgress: [EC2.Rule(ipProtocol: "icmp", port: -1, cidrIp: "127.0.0.1/32",
                                           description: "no egress")],
            tags: Self.tags))
        let ids: CacheIds
        switch options.cacheShape {
        case .primary, .sharded:
            ids = addReplicationGroup(to: &t, network: network, auth: auth, securityGroup: cacheGroup)
        case .serverless:
            ids = addServerlessCache(to: &t, network: network, auth: auth, securityGroup: cacheGroup)
        }
        t.outputs[OutputName.cacheEndpoint] = .init(
            .join(":", [ids.address, ids.port]),
            description: ids.cluster ? "The cache's configuration endpoint (host:port), reachable from inside the VPC only"
                : "The cache's primary endpoint (host:port), reachable from inside the VPC only")
        if let secret = auth.secretOutput {
            t.outputs[OutputName.authTokenSecretArn] = .init(.ref(secret), description: auth.secretDescription)
        }
        return ids
    }

    /// One primary (and a replica with --multi-az), or with --shards a cluster with cluster
    /// mode enabled, resharded in place when --shards changes (UseOnlineResharding).
    private func addReplicationGroup(to t: inout Template, network: Network.Ids, auth: CacheAuthPart,
                                     securityGroup: String) -> CacheIds {
        let tags = Self.tags
        let subnetGroup = t.add("CacheSubnetGroup", ElastiCache.SubnetGroup(
            description: "cachedemo cache subnets", subnetIds: network.privateSubnets, tags: tags))
        let slowLog = t.add("CacheSlowLogGroup", Logs.LogGroup(
            logGroupName: Self.vendedLogGroupName("cache-slow-log"), retentionInDays: options.logRetentionDays, tags: tags))
        let engineLog = t.add("CacheEngineLogGroup", Logs.LogGroup(
            logGroupName: Self.vendedLogGroupName("cache-engine-log"), retentionInDays: options.logRetentionDays, tags: tags))
        var group = ElastiCache.ReplicationGroup(
            replicationGroupDescription: "cachedemo read-through cache",
            engine: options.engine.rawValue, engineVersion: options.resolvedEngineVersion,
            cacheNodeType: options.nodeType, numCacheClusters: options.cacheNodeCount, port: options.cachePort,
            multiAZEnabled: options.cacheNodeCount > 1 && !options.replicaBeforeFailover,
            automaticFailoverEnabled: options.cacheNodeCount > 1 && !options.replicaBeforeFailover,
            transitEncryptionEnabled: true, atRestEncryptionEnabled: true,
            authToken: auth.cacheAuthToken,
            cacheSubnetGroupName: .ref(subnetGroup), securityGroupIds: [.getAtt(securityGroup, "GroupId")],
            preferredMaintenanceWindow: "sun:05:00-sun:06:00", snapshotRetentionLimit: 0,
            logDeliveryConfigurations: [
                .init(logType: "slow-log", logGroup: .ref(slowLog)),
                .init(logType: "engine-log", logGroup: .ref(engineLog)),
            ],
            tags: tags, userGroupIds: auth.cacheUserGroupIds)
        var updatePolicy: UpdatePolicy?
        if case .sharded(let shards, let replicas) = options.cacheShape {
            group.numCacheClusters = nil
            group.numNodeGroups = shards
            group.replicasPerNodeGroup = replicas
            group.cacheParameterGroupName = Self.clusterParameterGroup(options)
            // Cluster mode requires automatic failover, even with no replica; Multi-AZ needs one.
            group.automaticFailoverEnabled = true
            group.multiAZEnabled = options.multiAZ && replicas > 0
            updatePolicy = UpdatePolicy(useOnlineResharding: true)
        }
        let cache = t.add(Self.cacheId, group, updatePolicy: updatePolicy)
        t.outputs[OutputName.replicationGroupId] = .init(.ref(cache), description: "The ElastiCache replication group")
        let cluster = updatePolicy != nil
        let endpoint = cluster ? "ConfigurationEndPoint" : "PrimaryEndPoint"
        return CacheIds(cache: cache, securityGroup: securityGroup, address: .getAtt(cache, "\(endpoint).Address"),
                        port: .getAtt(cache, "\(endpoint).Port"), cluster: cluster, serverless: false)
    }

    /// The engine's default parameter group with cluster mode on, per engine family.
    static func clusterParameterGroup(_ o: StackOptions) -> String {
        let family: String
        switch o.engine {
        case .redis: family = o.resolvedEngineVersion.hasPrefix("6") ? "redis6.x" : "redis7"
        case .valkey: family = "valkey\(o.majorEngineVersion)"
        }
        return "default.\(family).cluster.on"
    }

    /// ElastiCache Serverless in (at least) two AZs' private subnets, reached through its
    /// user group (RBAC: serverless has no AUTH token), with the usage limits given.
    private func addServerlessCache(to t: inout Template, network: Network.Ids, auth: CacheAuthPart,
                                    securityGroup: String) -> CacheIds {
        t.parameters[Self.serverlessNameParameter] = Parameter(
            description: "The serverless cache's name (cachedemo deploy derives it from the stack name)",
            default: "cachedemo-cache", allowedPattern: Self.serverlessNamePattern,
            constraintDescription: "1-40 lowercase letters, digits and single hyphens, starting with a letter, "
                + "not ending with a hyphen (unique in the account and region)")
        let limits = options.maxDataGB == nil && options.maxECPUPerSecond == nil ? nil
            : ElastiCache.ServerlessCache.Limits(maxDataGB: options.maxDataGB, maxECPUPerSecond: options.maxECPUPerSecond)
        let cache = t.add(Self.cacheId, ElastiCache.ServerlessCache(
            serverlessCacheName: .ref(Self.serverlessNameParameter), description: "cachedemo read-through cache",
            engine: options.engine.rawValue, majorEngineVersion: options.majorEngineVersion, cacheUsageLimits: limits,
            securityGroupIds: [.getAtt(securityGroup, "GroupId")], subnetIds: network.privateSubnets,
            userGroupId: auth.cacheUserGroupIds?.first, tags: Self.tags))
        t.outputs[OutputName.serverlessCacheName] = .init(.ref(cache), description: "The ElastiCache serverless cache")
        return CacheIds(cache: cache, securityGroup: securityGroup, address: .getAtt(cache, "Endpoint.Address"),
                        port: .getAtt(cache, "Endpoint.Port"), cluster: true, serverless: true)
    }

    static let serverlessNameParameter = "ServerlessCacheName"
    /// ElastiCache's rule for cache names: a letter first, letters, digits and single hyphens,
    /// no hyphen at the end, 40 at most.
    public static let serverlessNamePattern = "^(?=.{1,40}$)[a-z](-?[a-z0-9])*$"
}
