import AWS
import CloudFormation

/// Cluster mode enabled (--shards N, --replicas R): N primaries with R replicas each,
/// resharded in place (online resharding); replicas per shard are fixed at creation.
struct ShardedCache: ReplicationGroupCache {
    let options: StackOptions

    static func builds(_ shape: StackOptions.CacheShape) -> Bool {
        if case .sharded = shape { return true }
        return false
    }
    static func shape(deployedProperties p: [String: Any]) -> StackOptions.CacheShape? {
        guard let shards = p["NumNodeGroups"] as? Int else { return nil }
        return .sharded(shards: shards, replicas: p["ReplicasPerNodeGroup"] as? Int ?? 0)
    }

    var layout: (shards: Int, replicas: Int) {
        if case .sharded(let shards, let replicas) = options.cacheShape { return (shards, replicas) }
        return (options.shards, options.replicas ?? 0)
    }
    var name: String { "a \(layout.shards)-shard cluster" }
    var summary: String? {
        "\(layout.shards) shards × (primary + \(layout.replicas) replica\(layout.replicas == 1 ? "" : "s"))"
    }
    var nodeCount: Int { layout.shards * (1 + layout.replicas) }
    var clusterMode: Bool { true }
    /// A cluster's client also learns the slot map, follows ASK and confirms purges (WAIT).
    var accessString: String { CacheAuthPart.clusterAccessString }
    var functionEnvironment: [String: Value] { [FunctionEnvironment.redisCluster: "1"] }
    var flags: [String] { ["--shards \(layout.shards)" + (options.replicas != nil ? " --replicas \(layout.replicas)" : "")] }

    func configure(_ group: inout ElastiCache.ReplicationGroup) -> UpdatePolicy? {
        group.numCacheClusters = nil
        group.numNodeGroups = layout.shards
        group.replicasPerNodeGroup = layout.replicas
        group.cacheParameterGroupName = CacheStack.clusterParameterGroup(options)
        // Cluster mode requires automatic failover, even with no replica; Multi-AZ needs one.
        group.automaticFailoverEnabled = true
        group.multiAZEnabled = options.multiAZ && layout.replicas > 0
        return UpdatePolicy(useOnlineResharding: true)
    }

    /// A cluster's nodes, summed up per zone.
    func diagramNodes(id: String, zone z: Int, zones: Int) -> [StackGraph.Node] {
        let here = (0..<nodeCount).filter { $0 % zones == z }.count
        guard here > 0 else { return [] }
        return [StackGraph.Node(id: "\(id)-\(z + 1)", title: id,
                                caption: "\(options.engine.rawValue) cluster, \(layout.shards) shards × \(1 + layout.replicas): "
                                    + "\(here) \(options.nodeType) here")]
    }

    /// Another shard count is an update of its own first (AWS: NumNodeGroups the only change
    /// of its stack update); another replica count replaces the cluster (the change set says so).
    func change(from deployed: CacheShapeChange.Deployed) -> CacheShapeChange {
        if case .sharded(let was, let wasReplicas) = deployed.shape, was != layout.shards, wasReplicas == layout.replicas {
            return .reshardFirst(from: was, to: layout.shards)
        }
        return .direct
    }

    func note(changingFrom deployed: CacheShapeChange.Deployed) -> String? {
        guard case .sharded(_, let wasReplicas) = deployed.shape, wasReplicas != layout.replicas else { return nil }
        return "--replicas \(layout.replicas) differs from the cluster's \(wasReplicas): ReplicasPerNodeGroup is fixed at creation, "
            + "so CloudFormation replaces the cluster (emptied, new endpoint; the change set says so)"
    }
}
