import AWS
import ArgumentParser
import CacheDemo
import Foundation

struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "What the stack costs per hour and per 30 days, before it runs.",
        discussion: "An estimate from a built-in price table (dated in the output); --live asks the AWS Price List API.\n\nExamples:\n  cachedemo cost --region us-east-1\n  cachedemo cost --multi-az --requests-per-month 20000000 --gb-per-month 50\n  cachedemo cost --throttle-rate 20 --output json\n  cachedemo cost --engine valkey --egress ipv6\n  cachedemo cost --compare --engine valkey\n  cachedemo cost --serverless --engine valkey --gb-stored 2 --avg-item-kb 4\n  cachedemo cost --shards 3 --multi-az --node-type cache.r7g.large"
    )

    @OptionGroup var stack: StackOptionArguments
    @OptionGroup var aws: AWSOptions

    @Option(name: .customLong("requests-per-month"), help: "API requests per month.", transform: DecimalArgument.parse)
    var requestsPerMonth = CostEstimate.Usage().requestsPerMonth

    @Option(name: .customLong("gb-per-month"), help: "GB per month from the upstream (cache misses); a NAT gateway charges for each.", transform: DecimalArgument.parse)
    var gbPerMonth = CostEstimate.Usage().gbPerMonth

    @Option(name: .customLong("avg-duration-ms"), help: "Average function duration in ms.", transform: DecimalArgument.parse)
    var avgDurationMs = CostEstimate.Usage().averageDurationMs

    @Option(name: .customLong("gb-stored"), help: "With --serverless or --compare: GB the cache holds on average (billed at least 0.1 GB Valkey, 1 GB Redis OSS; default 0.1).", transform: DecimalArgument.parse)
    var gbStored: Double?

    @Option(name: .customLong("avg-item-kb"), help: "With --serverless or --compare: KB of a cached answer (an ECPU is a KB read or written, at least one per command; default 1).", transform: DecimalArgument.parse)
    var avgItemKB: Double?

    @Flag(help: "Ask the AWS Price List API for cache node and NAT gateway prices (falls back to the table).")
    var live = false

    @Flag(help: "Compare every shape your other flags allow (egress mode × single/Multi-AZ), idle and with the usage given, cheapest first.")
    var compare = false

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            let options = try stack.stackOptions()
            try Self.check(requestsPerMonth, "--requests-per-month", max: 1e12, unit: "requests")
            if requestsPerMonth > 0 && requestsPerMonth < 1 {
                throw UsageFailure("--requests-per-month \(requestsPerMonth) is less than one request; use 0 or a whole number")
            }
            try Self.check(gbPerMonth, "--gb-per-month", max: 1e7, unit: "GB")
            try Self.check(avgDurationMs, "--avg-duration-ms", max: 900_000, unit: "ms (Lambda's 15-minute limit)")
            // Serverless figures price only a serverless row: without one they would be ignored.
            for (flag, given) in [("--gb-stored", gbStored), ("--avg-item-kb", avgItemKB)] where given != nil && !options.serverless && !compare {
                throw UsageFailure("\(flag) prices ElastiCache Serverless; add --serverless (or --compare) or drop \(flag)")
            }
            let gbStored = gbStored ?? CostEstimate.Usage().gbStored
            let avgItemKB = avgItemKB ?? CostEstimate.Usage().averageItemKB
            try Self.check(gbStored, "--gb-stored", max: 5000, unit: "GB (ElastiCache Serverless's most)")
            try Self.check(avgItemKB, "--avg-item-kb", max: 512_000, unit: "KB (Redis's 512 MB value limit)")
            let region = try aws.resolvedRegion()
            var usage = CostEstimate.Usage()
            usage.requestsPerMonth = requestsPerMonth
            usage.gbPerMonth = gbPerMonth
            usage.averageDurationMs = avgDurationMs
            usage.gbStored = gbStored
            usage.averageItemKB = avgItemKB
            if compare {
                if live { throw UsageFailure("--compare uses the built-in price table; drop --live") }
                do {
                    ComparisonReport.print(try ShapeComparison.compare(options, region: region, usage: usage), usage: usage,
                                           format: output.format)
                } catch let error as CostError {
                    throw UsageFailure(error.description)
                }
                return
            }
            var note: String?
            var figures: LivePrices.Figures?
            if live {
                do {
                    let session = try aws.session()
                    figures = try LivePrices(client: session.client).fetch(region: region, nodeType: options.nodeType, engine: options.engine)
                } catch {
                    note = "live prices unavailable (\(error)); using the built-in table of \(PriceTable.takenOn)"
                }
            }
            let estimate: CostEstimate
            do { estimate = try CostEstimate.estimate(options, region: region, usage: usage, live: figures) } catch let error as CostError {
                throw UsageFailure(error.description)
            }
            if let note { progress("note: \(note)") }
            CostReport.print(estimate, format: output.format)
        }
    }
}

extension CostCommand {
    /// A usage figure must be a finite number from 0 to a bound far past any real stack;
    /// infinity or 1e308 would only print $inf or overflow.
    static func check(_ value: Double, _ flag: String, max: Double, unit: String) throws {
        guard value.isFinite, value >= 0, value <= max else {
            throw UsageFailure("\(flag) \(value) is not a number from 0 to \(Int(max)) \(unit)")
        }
    }
}

/// `cost --compare` as a table or JSON.
enum ComparisonReport {
    static func print(_ c: ShapeComparison, usage: CostEstimate.Usage, format: OutputFormat) {
        switch format {
        case .json:
            printJSON([
                "region": c.region, "source": "built-in price table of \(PriceTable.takenOn)",
                "usage": ["requestsPerMonth": usage.requestsPerMonth, "gbPerMonth": usage.gbPerMonth,
                          "averageDurationMs": usage.averageDurationMs],
                "shapes": c.rows.map { r in
                    ["flags": r.flags, "multiAZ": r.options.multiAZ, "singleNAT": r.options.singleNAT,
                     "egress": r.options.existingNetwork == nil ? r.options.egress.rawValue : "existing-vpc",
                     "idleMonthlyUSD": CostReport.round4(r.idleMonthly), "monthlyUSD": CostReport.round4(r.monthly),
                     "tradeoff": r.tradeoff, "current": r.isCurrent] as [String: Any]
                },
            ])
        case .text:
            say("Shapes in \(c.region), per 30 days (built-in price table of \(PriceTable.takenOn); an estimate, not a quote); "
                + "usage: \(CostEstimate.format(usage.requestsPerMonth)) requests, \(CostEstimate.format(usage.gbPerMonth)) GB from the upstream\n")
            let width = max(28, (c.rows.map(\.flags.count).max() ?? 0) + 2)
            say("  " + "shape".padded(to: width) + "  " + "idle".padded(to: 9) + "  " + "with usage".padded(to: 10) + "  trade-off")
            for r in c.rows {
                say((r.isCurrent ? "* " : "  ") + r.flags.padded(to: width) + "  " + String(format: "$%.2f", r.idleMonthly).padded(to: 9)
                    + "  " + String(format: "$%.2f", r.monthly).padded(to: 10) + "  " + r.tradeoff)
            }
            say("\n* the shape these flags deploy; cheapest first. `cachedemo cost <flags>` itemizes one.")
        }
    }
}

/// The estimate as a table or JSON; shared with deploy's confirmation.
enum CostReport {
    static func print(_ e: CostEstimate, format: OutputFormat) {
        switch format {
        case .json: printJSON(json(e))
        case .text:
            let money = { (v: Double) in String(format: "$%.4f", v) }
            say("Estimated cost in \(e.region) (\(e.source); an estimate, not a quote)\n")
            say("item".padded(to: 40) + "  " + "quantity".padded(to: 16) + "  " + "per hour".padded(to: 10) + "  per 30 days")
            for l in e.lines {
                say(l.item.padded(to: 40) + "  " + l.quantity.padded(to: 16) + "  " + (l.hourly > 0 ? money(l.hourly) : "-").padded(to: 10)
                    + "  " + String(format: "$%.2f", l.monthly))
            }
            say("total".padded(to: 40) + "  " + "".padded(to: 16) + "  " + money(e.hourly).padded(to: 10) + "  " + String(format: "$%.2f", e.monthly))
            let share = e.monthly > 0 ? e.dominant.monthly / e.monthly * 100 : 0
            say("\nmost of it: \(e.dominant.item) (\(Int(share.rounded()))% of the month). It bills while the stack exists; destroy it when done.")
            let c = e.ceiling
            say(String(format: "ceiling: at the stage throttle (%@ req/s, --throttle-rate) with every request a miss "
                + "(%.0f KB each), requests cost about $%.2f an hour at %.0f ms a miss, and at most $%.2f if every miss "
                + "runs to the function's %d s timeout (an upstream that hangs), on top of $%.4f fixed; "
                + "lower --throttle-rate or --timeout to lower it.", CostEstimate.format(c.requestsPerSecond),
                c.bytesPerMiss / 1000, c.usageHourly, c.missDurationMs, c.worstHourly, c.timeoutSeconds, e.hourly))
        }
    }

    static func json(_ e: CostEstimate) -> [String: Any] {
        [
            "region": e.region, "source": e.source, "hourlyUSD": round4(e.hourly), "monthlyUSD": round4(e.monthly),
            "hoursPerMonth": CostEstimate.hoursPerMonth, "dominant": e.dominant.item,
            "ceiling": ["requestsPerSecond": e.ceiling.requestsPerSecond, "bytesPerMiss": e.ceiling.bytesPerMiss.rounded(),
                        "missDurationMs": e.ceiling.missDurationMs, "usageHourlyUSD": round4(e.ceiling.usageHourly),
                        "worstHourlyUSD": round4(e.ceiling.worstHourly), "timeoutSeconds": e.ceiling.timeoutSeconds],
            "lines": e.lines.map { ["item": $0.item, "quantity": $0.quantity, "hourlyUSD": round4($0.hourly), "monthlyUSD": round4($0.monthly)] },
        ]
    }

    static func round4(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }
}
