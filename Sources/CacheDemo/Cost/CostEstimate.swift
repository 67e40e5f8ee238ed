import AWS
import Foundation

/// What the stack costs: fixed hourly parts (the egress: NAT gateways or instances and their
/// public IPv4 addresses; cache nodes) and usage (NAT data, Lambda, API requests, log ingestion) for a month.
public struct CostEstimate: Sendable {
    public struct Usage: Sendable {
        public var requestsPerMonth: Double = 1_000_000
        /// Data from the upstream (cache misses), GB per month: a NAT gateway charges for it.
        public var gbPerMonth: Double = 10
        /// Average function duration: hits take milliseconds, misses wait for the upstream.
        public var averageDurationMs: Double = 50
        /// Per request: the function's JSON line and the API access log line.
        public var logBytesPerRequest: Double = 600
        /// A miss waits for the upstream: the duration the ceiling below assumes.
        public var missDurationMs: Double = 200
        /// Serverless: the data the cache holds on average (billed at least the engine's minimum).
        public var gbStored: Double = 0.1
        /// Serverless: the size of a cached answer, which sets the ECPUs a read or write costs.
        public var averageItemKB: Double = 1
        public init() {}
    }

    /// The most the request-priced parts can cost in an hour: every request the stage
    /// throttle lets through is a miss (a new query string runs the function and calls the
    /// upstream through the NAT), on top of the fixed hourly parts.
    public struct Ceiling: Sendable {
        public let requestsPerSecond: Double
        public let bytesPerMiss: Double
        public let missDurationMs: Double
        /// API Gateway + Lambda + NAT data for one hour at the throttle rate, misses as long as
        /// `missDurationMs`.
        public let usageHourly: Double
        /// The same with every miss running to the function's timeout (an upstream that hangs):
        /// the true ceiling, as far as Lambda's concurrency lets the requests run at all.
        public let worstHourly: Double
        public let timeoutSeconds: Int
    }

    public struct Line: Sendable {
        public let item: String
        public let quantity: String
        public let hourly: Double
        public let monthly: Double
    }

    public static let hoursPerMonth = 720.0  // 30 days

    public let region: String
    public let lines: [Line]
    public var hourly: Double { lines.reduce(0) { $0 + $1.hourly } }
    public var monthly: Double { lines.reduce(0) { $0 + $1.monthly } }
    /// The line that costs the most over a month.
    public var dominant: Line { lines.max { $0.monthly < $1.monthly }! }
    public var source: String
    public let ceiling: Ceiling

    public static func estimate(_ o: StackOptions, region: String, usage: Usage, live: LivePrices.Figures? = nil,
                                table: PriceTable.Type = PriceTable.self) throws(CostError) -> CostEstimate {
        guard var r = table.regions[region] else {
            throw CostError("no prices for region \(UserInput.quoted(region)); known: \(table.regions.keys.sorted().joined(separator: ", "))")
        }
        guard var node = table.nodeHour(nodeType: o.nodeType, engine: o.engine, region: r) else {
            throw CostError("no prices for node type \(UserInput.quoted(o.nodeType)); known: \(table.redisNodeHour.keys.sorted().joined(separator: ", "))")
        }
        if let live {
            node = live.nodeHour
            r = PriceTable.Region(natGatewayHour: live.natGatewayHour, natGatewayGB: r.natGatewayGB, publicIPv4Hour: r.publicIPv4Hour,
                                  httpApiPerMillion: r.httpApiPerMillion, logsIngestionGB: r.logsIngestionGB, cacheFactor: r.cacheFactor,
                                  ec2Factor: r.ec2Factor, gp3GBMonth: r.gp3GBMonth)
        }
        let gbSeconds = usage.requestsPerMonth * usage.averageDurationMs / 1000 * Double(o.memoryMB) / 1024
        let logGB = usage.requestsPerMonth * usage.logBytesPerRequest / 1_000_000_000
        // The way out's and the cache's lines are their parts' own.
        let lines = try EgressParts.part(for: o).costLines(region: r, usage: usage, table: table)
            + o.cachePart.costLines(nodeHour: node, region: r, usage: usage, table: table) + [
            Line(item: "Lambda requests", quantity: "\(format(usage.requestsPerMonth))", hourly: 0,
                 monthly: usage.requestsPerMonth / 1_000_000 * table.lambdaPerMillionRequests),
            Line(item: "Lambda compute (\(o.architecture.rawValue), \(o.memoryMB) MB)", quantity: "\(format(gbSeconds)) GB-s",
                 hourly: 0, monthly: gbSeconds * (table.lambdaGBSecond[o.architecture] ?? 0)),
            Line(item: "HTTP API requests", quantity: "\(format(usage.requestsPerMonth))", hourly: 0,
                 monthly: usage.requestsPerMonth / 1_000_000 * r.httpApiPerMillion),
            Line(item: "CloudWatch Logs ingestion", quantity: "\(format(logGB)) GB", hourly: 0, monthly: logGB * r.logsIngestionGB),
        ]
        // Only a NAT gateway charges for the data it carries.
        let perGB = o.natGatewayCount > 0 ? r.natGatewayGB : 0
        let perSecond = o.throttle.ratePerSecond
        let bytesPerMiss = usage.requestsPerMonth >= 1 ? usage.gbPerMonth * 1e9 / usage.requestsPerMonth : 10_000
        let perHour = perSecond * 3600
        func ceiling(missMs: Double) -> Double {
            perHour / 1_000_000 * (r.httpApiPerMillion + table.lambdaPerMillionRequests)
                + perHour * missMs / 1000 * Double(o.memoryMB) / 1024 * (table.lambdaGBSecond[o.architecture] ?? 0)
                + perHour * bytesPerMiss / 1e9 * perGB
        }
        return CostEstimate(region: region, lines: lines, source: live == nil ? "built-in price table of \(table.takenOn)"
            : "AWS Price List API (cache nodes, NAT gateways) and the built-in table of \(table.takenOn)",
            ceiling: Ceiling(requestsPerSecond: perSecond, bytesPerMiss: bytesPerMiss, missDurationMs: usage.missDurationMs,
                             usageHourly: ceiling(missMs: usage.missDurationMs),
                             worstHourly: ceiling(missMs: Double(o.timeoutSeconds) * 1000), timeoutSeconds: o.timeoutSeconds))
    }

    public static func format(_ v: Double) -> String {
        v >= 1_000_000 ? "\(v / 1_000_000)M".replacingOccurrences(of: ".0M", with: "M")
            : v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v)
    }
}

/// A region or node type the price table does not know.
public struct CostError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}
