import CloudFormation

extension CacheStack {
    /// Logical ids the function needs to reach the cache.
    struct CacheIds {
        let replicationGroup: String
        let securityGroup: String
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

    /// ElastiCache in the private subnets: TLS in transit, encrypted at rest, and the
    /// authentication `auth` chose (a token by dynamic reference, never a literal, or IAM).
    func addCache(to t: inout Template, network: Network.Ids, auth: CacheAuthPart) -> CacheIds {
        let tags = Self.tags
        let cacheGroup = t.add("CacheSecurityGroup", EC2.SecurityGroup(
            groupDescription: "cachedemo cache: reachable from the function only", vpcId: network.vpc,
            // One rule that matches nothing replaces the default allow-all egress.
            securityGroupEgress: [EC2.Rule(ipProtocol: "icmp", port: -1, cidrIp: "127.0.0.1/32",
                                           description: "no egress")],
            tags: tags))
        let subnetGroup = t.add("CacheSubnetGroup", ElastiCache.SubnetGroup(
            description: "cachedemo cache subnets", subnetIds: network.privateSubnets, tags: tags))
        let slowLog = t.add("CacheSlowLogGroup", Logs.LogGroup(
            logGroupName: Self.vendedLogGroupName("cache-slow-log"), retentionInDays: options.logRetentionDays, tags: tags))
        let engineLog = t.add("CacheEngineLogGroup", Logs.LogGroup(
            logGroupName: Self.vendedLogGroupName("cache-engine-log"), retentionInDays: options.logRetentionDays, tags: tags))
        let nodes = options.cacheNodeCount
        let cache = t.add("Cache", ElastiCache.ReplicationGroup(
            replicationGroupDescription: "cachedemo read-through cache",
            engine: options.engine.rawValue, engineVersion: options.resolvedEngineVersion,
            cacheNodeType: options.nodeType, numCacheClusters: nodes, port: options.cachePort,
            multiAZEnabled: nodes > 1 && !options.replicaBeforeFailover,
            automaticFailoverEnabled: nodes > 1 && !options.replicaBeforeFailover,
            transitEncryptionEnabled: true, atRestEncryptionEnabled: true,
            authToken: auth.cacheAuthToken,
            cacheSubnetGroupName: .ref(subnetGroup), securityGroupIds: [.getAtt(cacheGroup, "GroupId")],
            preferredMaintenanceWindow: "sun:05:00-sun:06:00", snapshotRetentionLimit: 0,
            logDeliveryConfigurations: [
                .init(logType: "slow-log", logGroup: .ref(slowLog)),
                .init(logType: "engine-log", logGroup: .ref(engineLog)),
            ],
            tags: tags, userGroupIds: auth.cacheUserGroupIds))
        t.outputs[OutputName.cacheEndpoint] = .init(
            .join(":", [.getAtt(cache, "PrimaryEndPoint.Address"), .getAtt(cache, "PrimaryEndPoint.Port")]),
            description: "The cache's primary endpoint (host:port), reachable from inside the VPC only")
        t.outputs[OutputName.replicationGroupId] = .init(.ref(cache), description: "The ElastiCache replication group")
        if let secret = auth.secretOutput {
            t.outputs[OutputName.authTokenSecretArn] = .init(.ref(secret), description: "The secret holding the AUTH token")
        }
        return CacheIds(replicationGroup: cache, securityGroup: cacheGroup)
    }
}
