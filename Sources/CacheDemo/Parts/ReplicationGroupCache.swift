import AWS
import CloudFormation

/// What one primary and a sharded cluster share: both are an ElastiCache replication group
/// in the private subnets with its subnet group and its delivered logs, billed by the node.
protocol ReplicationGroupCache: CachePart {
    /// The group's shape-specific settings, on top of what every group has; the update policy.
    func configure(_ group: inout ElastiCache.ReplicationGroup) -> UpdatePolicy?
    /// Whether the function speaks the cluster protocol to it (its configuration endpoint).
    var clusterMode: Bool { get }
}

extension ReplicationGroupCache {
    static var resourceType: String { ElastiCache.ReplicationGroup.type }
    static var replacementConsequences: [String: (String, stateful: Bool)] {
        [ElastiCache.ReplicationGroup.type: ("the cache is emptied and its endpoint changes", true),
         ElastiCache.SubnetGroup.type: ("the cache that uses it is replaced with it: emptied, with a new endpoint", true)]
    }
    static var leakKinds: [LeakKind] {
        [LeakKind(kind: "cache replication group", billable: true, resourceType: ElastiCache.ReplicationGroup.type) { q, ids, _ in
            try q.replicationGroups(ids)
        }]
    }

    var minimumAZs: Int { 1 }

    func addResources(to t: inout Template, network: Network.Ids, auth: CacheAuthPart, securityGroup: String,
                      plan: DeployPlan) -> CacheStack.CacheIds {
        let tags = CacheStack.tags
        let subnetGroup = t.add("CacheSubnetGroup", ElastiCache.SubnetGroup(
            description: "cachedemo cache subnets", subnetIds: network.privateSubnets, tags: tags))
        let slowLog = t.add("CacheSlowLogGroup", Logs.LogGroup(
            logGroupName: CacheStack.vendedLogGroupName("cache-slow-log"), retentionInDays: options.logRetentionDays, tags: tags))
        let engineLog = t.add("CacheEngineLogGroup", Logs.LogGroup(
            logGroupName: CacheStack.vendedLogGroupName("cache-engine-log"), retentionInDays: options.logRetentionDays, tags: tags))
        var group = ElastiCache.ReplicationGroup(
            replicationGroupDescription: "cachedemo read-through cache",
            engine: options.engine.rawValue, engineVersion: options.resolvedEngineVersion,
            cacheNodeType: options.nodeType, numCacheClusters: nodeCount, port: options.cachePort,
            multiAZEnabled: nodeCount > 1 && !plan.replicaBeforeFailover,
            automaticFailoverEnabled: nodeCount > 1 && !plan.replicaBeforeFailover,
            transitEncryptionEnabled: true, atRestEncryptionEnabled: true,
            authToken: auth.cacheAuthToken,
            cacheSubnetGroupName: .ref(subnetGroup), securityGroupIds: [.getAtt(securityGroup, "GroupId")],
            preferredMaintenanceWindow: "sun:05:00-sun:06:00", snapshotRetentionLimit: 0,
            logDeliveryConfigurations: [
                .init(logType: "slow-log", logGroup: .ref(slowLog)),
                .init(logType: "engine-log", logGroup: .ref(engineLog)),
            ],
            tags: tags, userGroupIds: auth.cacheUserGroupIds)
        let updatePolicy = configure(&group)
        let cache = t.add(CacheStack.cacheId, group, updatePolicy: updatePolicy)
        t.outputs[CacheStack.OutputName.replicationGroupId] = .init(.ref(cache), description: "The ElastiCache replication group")
        let endpoint = clusterMode ? "ConfigurationEndPoint" : "PrimaryEndPoint"
        return CacheStack.CacheIds(cache: cache, securityGroup: securityGroup, address: .getAtt(cache, "\(endpoint).Address"),
                                   port: .getAtt(cache, "\(endpoint).Port"), cluster: clusterMode, serverless: false)
    }

    func costLines(nodeHour node: Double, region: PriceTable.Region, usage: CostEstimate.Usage, table: PriceTable.Type) -> [CostEstimate.Line] {
        let h = CostEstimate.hoursPerMonth, nodes = Double(nodeCount)
        return [CostEstimate.Line(item: "cache nodes (\(options.engine.rawValue) \(options.nodeType))", quantity: "\(Int(nodes)) × \(Int(h)) h",
                                  hourly: nodes * node, monthly: nodes * node * h)]
    }

    var tradeoff: String? { nil }
}
