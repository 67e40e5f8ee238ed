import AWS
import CloudFormation

/// One shape of the cache (DESIGN.md, "Shapes: parts that compose"): each variant owns
/// everything about itself — its resources, the zones it needs, its user's access, the
/// function's settings for it, how it is named, drawn and priced, how it is recognized in a
/// deployed template, which changes it takes in place, what replacing it loses and what the
/// leak check asks for. Adding a shape is a new type and a line in `CacheParts.all`.
protocol CachePart: StackPart {
    /// The options it is built from (its shape is `options.cacheShape`).
    var options: StackOptions { get }
    init(options: StackOptions)

    /// Whether this part is the one for a shape.
    static func builds(_ shape: StackOptions.CacheShape) -> Bool
    /// The CloudFormation type of its cache resource.
    static var resourceType: String { get }
    /// Its shape, read off a deployed cache resource of its type; nil when it is another's.
    static func shape(deployedProperties: [String: Any]) -> StackOptions.CacheShape?

    /// In a phrase: "one primary", "a 3-shard cluster", "ElastiCache Serverless".
    var name: String { get }
    /// Its part of the template's description (nil: the default says it all).
    var summary: String? { get }
    /// Nodes billed by the hour.
    var nodeCount: Int { get }
    /// Availability zones its subnets must span at least.
    var minimumAZs: Int { get }
    /// What the function's RBAC user may run on it.
    var accessString: String { get }
    /// The function's settings for it beyond REDIS_URL and auth.
    var functionEnvironment: [String: Value] { get }
    /// Its flags in `cost --compare`, and its own trade-off there (nil: none of its own).
    var flags: [String] { get }
    var tradeoff: String? { get }

    /// Adds the cache resource and what only it needs; the ids the function reaches it by.
    func addResources(to t: inout Template, network: Network.Ids, auth: CacheAuthPart, securityGroup: String,
                      plan: DeployPlan) -> CacheStack.CacheIds
    /// What it looks like in zone `zone` of `zones` in the diagram.
    func diagramNodes(id: String, zone: Int, zones: Int) -> [StackGraph.Node]
    /// Its lines of the cost estimate.
    func costLines(nodeHour: Double, region: PriceTable.Region, usage: CostEstimate.Usage, table: PriceTable.Type) -> [CostEstimate.Line]
    /// What an update from the deployed cache (of this same part) does: in place, in steps,
    /// or refused with what to do; and what to say first.
    func change(from deployed: CacheShapeChange.Deployed) -> CacheShapeChange
    func note(changingFrom deployed: CacheShapeChange.Deployed) -> String?

    /// Template parameters deploy fills from the stack's name, and why an override is refused.
    static var derivedParameters: [String: (value: @Sendable (_ stack: String) -> String, why: String)] { get }
}

extension CachePart {
    static var derivedParameters: [String: (value: @Sendable (_ stack: String) -> String, why: String)] { [:] }
}

/// What every part of the stack (a cache shape, a way out) says about the resources it adds,
/// for the consumers that read them all: the change-set report and destroy's leak check.
protocol StackPart: Sendable {
    /// What replacing each of its resource types loses, and whether that is state.
    static var replacementConsequences: [String: (String, stateful: Bool)] { get }
    /// What the leak check asks the services for after a destroy.
    static var leakKinds: [LeakKind] { get }
}

/// A list of parts' answers, each once: the first part to name a type (or a kind) says it.
enum PartList {
    static func consequences(_ parts: [any StackPart.Type]) -> [String: (String, stateful: Bool)] {
        var out: [String: (String, stateful: Bool)] = [:]
        for part in parts { out.merge(part.replacementConsequences) { first, _ in first } }
        return out
    }

    static func leakKinds(_ parts: [any StackPart.Type]) -> [LeakKind] {
        var seen = Set<String>(), kinds: [LeakKind] = []
        for part in parts {
            for kind in part.leakKinds where seen.insert(kind.kind).inserted { kinds.append(kind) }
        }
        return kinds
    }
}

/// A kind of resource the leak check looks for: what it is called, whether it bills by the
/// hour, the CloudFormation type that lists it, and how to ask whether it is still there
/// (by the ids the stack listed, and by the stack's tag where a kind can be found by it).
struct LeakKind: Sendable {
    let kind: String
    let billable: Bool
    let resourceType: String
    let find: @Sendable (_ queries: BillableQueries, _ ids: [String], _ stackName: String) throws -> [String]
}

/// The one place that lists the cache's shapes.
enum CacheParts {
    static let all: [any CachePart.Type] = [PrimaryCache.self, ShardedCache.self, ServerlessCache.self]

    /// The part that builds the options' cache shape.
    static func part(for options: StackOptions) -> any CachePart {
        let type = all.first { $0.builds(options.cacheShape) } ?? PrimaryCache.self
        return type.init(options: options)
    }

    /// The part a deployed cache resource of `resourceType` belongs to, and its shape.
    static func deployed(resourceType: String, properties: [String: Any]) -> StackOptions.CacheShape? {
        // Two parts share one type (a replication group): each recognizes only its own.
        for part in all where part.resourceType == resourceType {
            if let shape = part.shape(deployedProperties: properties) { return shape }
        }
        return nil
    }

    static var replacementConsequences: [String: (String, stateful: Bool)] { PartList.consequences(all) }
    static var leakKinds: [LeakKind] { PartList.leakKinds(all) }
}
