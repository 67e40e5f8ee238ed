import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

@Suite struct CostTests {
    struct Config: CustomTestStringConvertible, Sendable {
        let region: String
        let multiAZ: Bool
        let singleNAT: Bool
        let engine: StackOptions.Engine
        let nodeType: String
        var testDescription: String { "\(region) \(multiAZ ? "multi" : "single")\(singleNAT ? "/single-nat" : "") \(engine) \(nodeType)" }

        var options: StackOptions {
            var o = StackOptions()
            o.multiAZ = multiAZ
            o.singleNAT = singleNAT
            o.engine = engine
            o.nodeType = nodeType
            return o
        }
    }

    static let configs = [
        Config(region: "us-east-1", multiAZ: false, singleNAT: false, engine: .redis, nodeType: "cache.t4g.micro"),
        Config(region: "eu-west-1", multiAZ: true, singleNAT: false, engine: .valkey, nodeType: "cache.t4g.small"),
        Config(region: "ap-northeast-1", multiAZ: true, singleNAT: true, engine: .redis, nodeType: "cache.r7g.large"),
    ]

    /// The expected bill, worked out here from the table's own figures.
    @Test(arguments: configs)
    func totalsFollowFromTheTable(_ c: Config) throws {
        var usage = CostEstimate.Usage()
        usage.requestsPerMonth = 3_000_000
        usage.gbPerMonth = 25
        let e = try CostEstimate.estimate(c.options, region: c.region, usage: usage)
        let r = try #require(PriceTable.regions[c.region])
        let nats = Double(c.multiAZ && !c.singleNAT ? 2 : 1), nodes = Double(c.multiAZ ? 2 : 1)
        var node = try #require(PriceTable.redisNodeHour[c.nodeType]) * r.cacheFactor
        if c.engine == .valkey { node *= 1 - PriceTable.valkeyDiscount }
        let hourly = nats * (r.natGatewayHour + r.publicIPv4Hour) + nodes * node
        let gbSeconds = 3_000_000 * 0.050 * 512.0 / 1024
        let usageMonthly = 25 * r.natGatewayGB + 3 * PriceTable.lambdaPerMillionRequests
            + gbSeconds * PriceTable.lambdaGBSecond[.arm64]! + 3 * r.httpApiPerMillion + 3_000_000 * 600 / 1e9 * r.logsIngestionGB
        #expect(abs(e.hourly - hourly) < 1e-9)
        #expect(abs(e.monthly - (hourly * 720 + usageMonthly)) < 1e-6)
        #expect(e.source.contains(PriceTable.takenOn))
    }

    @Test func flagsMoveTheTotalsTheRightWay() throws {
        func monthly(_ edit: (inout StackOptions) -> Void) throws -> Double {
            var o = StackOptions()
            edit(&o)
            return try CostEstimate.estimate(o, region: "us-east-1", usage: CostEstimate.Usage()).monthly
        }
        let single = try monthly { _ in }
        let multi = try monthly { $0.multiAZ = true }
        let shared = try monthly { $0.multiAZ = true; $0.singleNAT = true }
        let bigger = try monthly { $0.nodeType = "cache.t4g.medium" }
        let valkey = try monthly { $0.engine = .valkey }
        #expect(multi > single)
        #expect(shared < multi && shared > single)
        #expect(bigger > single)
        #expect(valkey < single)
        let e = try CostEstimate.estimate(StackOptions(), region: "us-east-1", usage: CostEstimate.Usage())
        #expect(e.dominant.item == "NAT gateway hours")
    }

    @Test func unknownRegionsAndNodeTypesAreUsageErrorsListingWhatIsKnown() throws {
        let region = try cachedemo("cost", "--region", "sa-east-1")
        #expect(region.status == 64 && region.stderr.contains("us-east-1") && region.stderr.split(separator: "\n").count == 1)
        let node = try cachedemo("cost", "--region", "us-east-1", "--node-type", "cache.z9.huge")
        #expect(node.status == 64 && node.stderr.contains("cache.t4g.micro"))
        let json = try cachedemo("cost", "--region", "eu-central-1", "--multi-az", "--output", "json")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((doc["monthlyUSD"] as? Double ?? 0) > 0 && (doc["lines"] as? [Any])?.count == 8)
    }

    @Test func liveFallsBackToTheTableWithOneLine() throws {
        var env = Emulator.shared.environment
        env["AWS_MAX_ATTEMPTS"] = "1"
        let r = try cachedemo(["cost", "--live", "--output", "json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("note: live prices unavailable") && r.stderr.split(separator: "\n").count == 1)
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((doc?["source"] as? String)?.contains("built-in") == true)
    }
}

/// After destroy, the services themselves are asked whether anything billable survived.
@Suite(.serialized) struct LeakCheckTests {
    let emulator = Emulator.shared

    @Test func aResourceLeftBehindIsNamedAndExitsOne() throws {
        let stack = "leaky-\(UUID().uuidString.prefix(6).lowercased())"
        let env = emulator.environment
        #expect(try cachedemo(["deploy", "--stack-name", stack, "--yes"], environment: env).status == 0)
        // An Elastic IP made outside the stack, carrying the stack's tag (as a hand-made NAT would).
        let ec2 = emulator.client()
        let allocation = try ec2.query(.ec2, action: "AllocateAddress", version: "2016-11-15", parameters: [("Domain", "vpc")])
        let allocationId = try #require(allocation.find("allocationId")?.text)
        _ = try ec2.query(.ec2, action: "CreateTags", version: "2016-11-15", parameters: [
            ("ResourceId.1", allocationId), ("Tag.1.Key", "cachedemo:stack"), ("Tag.1.Value", stack)])
        defer { _ = try? ec2.query(.ec2, action: "ReleaseAddress", version: "2016-11-15", parameters: [("AllocationId", allocationId)]) }

        let r = try cachedemo(["destroy", "--stack-name", stack, "--yes", "--output", "json"], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("left behind: Elastic IP \(allocationId) (still billing)"))
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }
        #expect(errors.count == 1 && errors.first?.contains(allocationId) == true)
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(doc?["billableLeft"] as? Bool == true)
    }
}
