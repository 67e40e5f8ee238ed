import CloudFormation

extension CacheStack {
    /// The cache's logical id, whatever its shape, and its security group's; deploy reads a
    /// deployed stack's by them.
    static let cacheId = "Cache"
    static let securityGroupId = "CacheSecurityGroup"

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

    /// The cache in the private subnets, built by its shape's part: TLS in transit, encrypted at
    /// rest, and the authentication `auth` chose (a token by dynamic reference, never a
    /// literal, or IAM).
    func addCache(to t: inout Template, network: Network.Ids, auth: CacheAuthPart) -> CacheIds {
        let cacheGroup = t.add(Self.securityGroupId, EC2.SecurityGroup(
            groupDescription: "cachedemo cache: reachable from the function only", vpcId: network.vpc,
            // One rule that matches nothing replaces the default allow-all egress.
            securityGroupEgress: [EC2.Rule(ipProtocol: "icmp", port: -1, cidrIp: "127.0.0.1/32",
                                           description: "no egress")],
            tags: Self.tags))
        let ids = options.cachePart.addResources(to: &t, network: network, auth: auth, securityGroup: cacheGroup, plan: plan)
        t.outputs[OutputName.cacheEndpoint] = .init(
            .join(":", [ids.address, ids.port]),
            description: ids.cluster ? "The cache's configuration endpoint (host:port), reachable from inside the VPC only"
                : "The cache's primary endpoint (host:port), reachable from inside the VPC only")
        if let secret = auth.secretOutput {
            t.outputs[OutputName.authTokenSecretArn] = .init(.ref(secret), description: auth.secretDescription)
        }
        return ids
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

    static let serverlessNameParameter = "ServerlessCacheName"
    /// ElastiCache's rule for cache names: a letter first, letters, digits and single hyphens,
    /// no hyphen at the end, 40 at most.
    public static let serverlessNamePattern = "^(?=.{1,40}$)[a-z](-?[a-z0-9])*$"
}
