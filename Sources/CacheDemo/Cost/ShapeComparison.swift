/// `cost --compare`: every shape the user's other flags allow (egress mode × layout), priced
/// idle and with the given usage, cheapest first, each with what it gives up.
public struct ShapeComparison: Sendable {
    public struct Row: Sendable {
        public let options: StackOptions
        /// The flags that make this shape, as a user would type them.
        public let flags: String
        public let idleMonthly: Double
        public let monthly: Double
        public let tradeoff: String
        public let isCurrent: Bool
    }

    public let region: String
    public let rows: [Row]

    public static func compare(_ o: StackOptions, region: String, usage: CostEstimate.Usage) throws(CostError) -> ShapeComparison {
        var rows: [Row] = []
        for shape in shapes(of: o) {
            let idle = try CostEstimate.estimate(shape, region: region, usage: .idle).monthly
            let used = try CostEstimate.estimate(shape, region: region, usage: usage).monthly
            rows.append(Row(options: shape, flags: flags(of: shape), idleMonthly: idle, monthly: used,
                            tradeoff: tradeoff(of: shape), isCurrent: sameShape(shape, o)))
        }
        rows.sort { ($0.idleMonthly, $0.monthly, $0.flags) < ($1.idleMonthly, $1.monthly, $1.flags) }
        return ShapeComparison(region: region, rows: rows)
    }

    /// Nodes (the user's shards, or one primary) and serverless × layouts × egress modes,
    /// everything else as the user set it, keeping only what the flags allow (no --single-nat
    /// with ipv6, two subnets for Multi-AZ...). In a VPC of one's own the egress is not the
    /// stack's, so it stays as given.
    static func shapes(of o: StackOptions) -> [StackOptions] {
        let layouts: [(multiAZ: Bool, singleNAT: Bool)] = [(false, false), (true, false), (true, true)]
        var nodes = o
        if nodes.serverless { nodes.cache = .primary }
        var serverless = o
        serverless.cache = .serverless(o.serverlessLimits ?? .init())
        let egresses = o.existingNetwork == nil ? StackOptions.Egress.allCases : [o.egress]
        return [nodes, serverless].flatMap { cache in
            layouts.flatMap { layout in
                egresses.compactMap { egress -> StackOptions? in
                    var s = cache
                    s.multiAZ = layout.multiAZ
                    s.withCreatedNetwork { ($0.singleNAT, $0.egress) = (layout.singleNAT, egress) }
                    return (try? s.validate()) != nil ? s : nil
                }
            }
        }
    }

    static func sameShape(_ a: StackOptions, _ b: StackOptions) -> Bool {
        a.multiAZ == b.multiAZ && a.singleNAT == b.singleNAT && a.egress == b.egress && a.cacheShape == b.cacheShape
    }

    static func flags(of s: StackOptions) -> String {
        // Your own VPC is named: its rows would otherwise have no flag at all to show.
        var flags: [String] = (s.existingNetwork.map { ["--vpc-id \($0.vpcId)"] } ?? []) + s.cachePart.flags
        if s.multiAZ { flags.append("--multi-az") }
        if s.existingNetwork == nil || s.egress == .ipv6 { flags.append("--egress \(s.egress.rawValue)") }
        if s.singleNAT { flags.append("--single-nat") }
        return flags.joined(separator: " ")
    }

    /// What the shape gives up, in a few words.
    static func tradeoff(of s: StackOptions) -> String {
        var layout = !s.multiAZ ? "one AZ: its outage stops the API"
            : s.singleNAT ? "two AZs, but egress fails with the NAT's AZ" : "survives an AZ outage"
        // A cache that spans more zones than the layout: only the function is in one.
        if let own = s.cachePart.tradeoff { layout = (s.multiAZ || s.cachePart.minimumAZs < 2 ? layout : "function in one AZ") + "; " + own }
        return layout + "; " + EgressParts.part(for: s).tradeoff
    }

    /// The cheapest other egress mode for the same layout, when it saves money: what the
    /// deploy prompt names. IPv6 only when the upstream has an IPv6 address.
    public static func cheaperEgress(than o: StackOptions, region: String, upstreamHasIPv6: Bool)
        -> (flag: String, savingPerMonth: Double, why: String)?
    {
        guard o.existingNetwork == nil, let current = try? CostEstimate.estimate(o, region: region, usage: .idle).monthly else {
            return nil
        }
        var best: (String, Double, String)?
        for egress in StackOptions.Egress.allCases where egress != o.egress {
            if egress == .ipv6 && !upstreamHasIPv6 { continue }
            var s = o
            s.withCreatedNetwork {
                $0.egress = egress
                if egress == .ipv6 { $0.singleNAT = false }
            }
            guard let cost = try? CostEstimate.estimate(s, region: region, usage: .idle).monthly, current - cost >= 1 else { continue }
            let why = egress == .ipv6 ? "the upstream has an IPv6 address" : "a NAT instance: no SLA, the instance's bandwidth"
            let flag = "--egress \(egress.rawValue)" + (egress == .ipv6 && o.singleNAT ? " without --single-nat" : "")
            if best == nil || current - cost > best!.1 { best = (flag, current - cost, why) }
        }
        return best.map { (flag: $0.0, savingPerMonth: $0.1, why: $0.2) }
    }
}

extension CostEstimate.Usage {
    /// Nobody calls the API: what the stack costs just by existing.
    public static var idle: CostEstimate.Usage {
        var u = CostEstimate.Usage()
        u.requestsPerMonth = 0
        u.gbPerMonth = 0
        return u
    }
}
