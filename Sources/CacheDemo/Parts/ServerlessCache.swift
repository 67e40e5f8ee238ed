import AWS
import CloudFormation

/// ElastiCache Serverless (--serverless): scales by itself, billed per GB-hour stored and per
/// ECPU, in (at least) two zones' private subnets, reached through its user group (RBAC: it
/// has no AUTH token), with the usage limits given.
struct ServerlessCache: CachePart {
    let options: StackOptions

    static func builds(_ shape: StackOptions.CacheShape) -> Bool { shape == .serverless }
    static var resourceType: String { ElastiCache.ServerlessCache.type }
    static func shape(deployedProperties p: [String: Any]) -> StackOptions.CacheShape? { .serverless }
    static var replacementConsequences: [String: (String, stateful: Bool)] {
        [ElastiCache.ServerlessCache.type: ("the serverless cache is emptied and its endpoint changes", true)]
    }
    static var leakKinds: [LeakKind] {
        [LeakKind(kind: "serverless cache", billable: true, resourceType: ElastiCache.ServerlessCache.type) { q, ids, _ in
            try q.serverlessCaches(ids)
        }]
    }

    /// ServerlessCacheName is create-only: derived from the stack's name, so every update agrees.
    static var derivedParameters: [String: (value: @Sendable (_ stack: String) -> String, why: String)] {
        [CacheStack.serverlessNameParameter: ({ Deployer.serverlessCacheName(stack: $0) },
                                              "deploy derives the serverless cache's name from the stack name (another name replaces the cache)")]
    }

    var name: String { "ElastiCache Serverless" }
    var summary: String? { "ElastiCache Serverless" }
    var nodeCount: Int { 0 }
    /// ElastiCache Serverless takes subnets in two zones at least.
    var minimumAZs: Int { 2 }
    var accessString: String { CacheAuthPart.serverlessAccessString }
    /// No WAIT (it replicates across zones itself), no CLIENT TRACKING.
    var functionEnvironment: [String: Value] { [FunctionEnvironment.redisCluster: "1", FunctionEnvironment.redisServerless: "1"] }
    var flags: [String] { ["--serverless"] }
    var tradeoff: String? { "serverless: scales itself, no instance copy" }

    func addResources(to t: inout Template, network: Network.Ids, auth: CacheAuthPart, securityGroup: String,
                      plan: DeployPlan) -> CacheStack.CacheIds {
        t.parameters[CacheStack.serverlessNameParameter] = Parameter(
            description: "The serverless cache's name (cachedemo deploy derives it from the stack name)",
            default: "cachedemo-cache", allowedPattern: CacheStack.serverlessNamePattern,
            constraintDescription: "1-40 lowercase letters, digits and single hyphens, starting with a letter, "
                + "not ending with a hyphen (unique in the account and region)")
        let chosen = options.serverlessLimits ?? .init()
        let limits = chosen == .init() ? nil
            : ElastiCache.ServerlessCache.Limits(maxDataGB: chosen.maxDataGB, maxECPUPerSecond: chosen.maxECPUPerSecond)
        let cache = t.add(CacheStack.cacheId, ElastiCache.ServerlessCache(
            serverlessCacheName: .ref(CacheStack.serverlessNameParameter), description: "cachedemo read-through cache",
            engine: options.engine.rawValue, majorEngineVersion: options.majorEngineVersion, cacheUsageLimits: limits,
            securityGroupIds: [.getAtt(securityGroup, "GroupId")], subnetIds: network.privateSubnets,
            userGroupId: auth.cacheUserGroupIds?.first, tags: CacheStack.tags))
        t.outputs[CacheStack.OutputName.serverlessCacheName] = .init(.ref(cache), description: "The ElastiCache serverless cache")
        return CacheStack.CacheIds(cache: cache, securityGroup: securityGroup, address: .getAtt(cache, "Endpoint.Address"),
                                   port: .getAtt(cache, "Endpoint.Port"), cluster: true, serverless: true)
    }

    /// One box, in the first subnet, spanning the zones.
    func diagramNodes(id: String, zone z: Int, zones: Int) -> [StackGraph.Node] {
        z == 0 ? [StackGraph.Node(id: "\(id)-1", title: id, caption: "\(options.engine.rawValue) serverless, spans \(zones) AZs")] : []
    }

    /// The data stored by the GB-hour and the ECPUs the requests use. An ECPU is one KB read
    /// or written by a command, at least one per command: a lookup is two GETs (the namespace
    /// version, then the entry: 1 + the item's KB), a miss adds a SET of the item. Serverless
    /// refuses CLIENT TRACKING, so no hit is answered from an instance copy there.
    func costLines(nodeHour: Double, region r: PriceTable.Region, usage: CostEstimate.Usage, table: PriceTable.Type) -> [CostEstimate.Line] {
        guard let price = table.serverless[options.engine] else { return [] }
        let h = CostEstimate.hoursPerMonth
        let gb = max(usage.gbStored, price.minimumGB), gbHour = price.gbHour * r.cacheFactor
        let perItem = max(1, usage.averageItemKB)
        // Misses: the data from the upstream over the item size, at most one per request.
        let misses = min(usage.requestsPerMonth, usage.averageItemKB > 0 ? usage.gbPerMonth * 1_000_000 / usage.averageItemKB : 0)
        let ecpus = usage.requestsPerMonth * (1 + perItem) + misses * perItem
        return [
            CostEstimate.Line(item: "serverless data stored (\(options.engine.rawValue), at least \(CostEstimate.format(price.minimumGB)) GB)",
                              quantity: "\(CostEstimate.format(gb)) GB × \(Int(h)) h", hourly: gb * gbHour, monthly: gb * gbHour * h),
            CostEstimate.Line(item: "serverless ECPUs", quantity: "\(CostEstimate.format(ecpus))", hourly: 0,
                              monthly: ecpus / 1_000_000 * price.perMillionECPU * r.cacheFactor),
        ]
    }

    func change(from deployed: CacheShapeChange.Deployed) -> CacheShapeChange { .direct }
    func note(changingFrom deployed: CacheShapeChange.Deployed) -> String? { nil }
}
