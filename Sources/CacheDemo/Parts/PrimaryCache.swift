import AWS
import CloudFormation

/// One primary, and with --multi-az a replica in the second zone with automatic failover.
struct PrimaryCache: ReplicationGroupCache {
    let options: StackOptions

    static func builds(_ shape: StackOptions.CacheShape) -> Bool { shape == .primary }
    /// A group without node groups (cluster mode off).
    static func shape(deployedProperties p: [String: Any]) -> StackOptions.CacheShape? {
        p["NumNodeGroups"] == nil ? .primary : nil
    }

    var name: String { "one primary" }
    var summary: String? { options.multiAZ ? "primary + replica" : nil }
    var nodeCount: Int { options.multiAZ ? 2 : 1 }
    var clusterMode: Bool { false }
    var accessString: String { CacheAuthPart.accessString }
    var functionEnvironment: [String: Value] { [:] }
    var flags: [String] { [] }

    func configure(_ group: inout ElastiCache.ReplicationGroup) -> UpdatePolicy? { nil }

    /// ElastiCache spreads a group's nodes over the subnet group's zones (node i in zone i).
    func diagramNodes(id: String, zone z: Int, zones: Int) -> [StackGraph.Node] {
        (0..<nodeCount).filter { $0 % zones == z }.map { i in
            StackGraph.Node(id: "\(id)-\(i + 1)", title: id,
                            caption: "\(options.engine.rawValue) \(i == 0 ? "primary" : "replica") \(options.nodeType)")
        }
    }

    /// Single-AZ to Multi-AZ needs the replica before failover (two updates); taking the
    /// replica away in place can strand the primary in the zone being removed.
    func change(from deployed: CacheShapeChange.Deployed) -> CacheShapeChange {
        if deployed.nodes > nodeCount {
            return .refused("the stack's cache is Multi-AZ (\(deployed.nodes) nodes); taking the replica and its AZ away in "
                + "place can strand the primary in the AZ being removed, so cachedemo does not do it. Keep --multi-az, or "
                + "destroy and deploy again (the cache starts empty)")
        }
        if deployed.nodes < nodeCount && !deployed.failover && nodeCount > 1 { return .replicaFirst }
        return .direct
    }

    func note(changingFrom deployed: CacheShapeChange.Deployed) -> String? { nil }
}
