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
            o.network = .created(.init(singleNAT: singleNAT))
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
        let shared = try monthly { $0.multiAZ = true; $0.network = .created(.init(singleNAT: true)) }
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

/// Issue 12's prices: each egress mode's idle bill from the table's own figures, the targets
/// the README's cost table states, and `cost --compare`.
@Suite struct EgressCostTests {
    let region = PriceTable.regions["us-east-1"]!
    let h = CostEstimate.hoursPerMonth

    func idle(_ edit: (inout StackOptions) -> Void) throws -> CostEstimate {
        var o = StackOptions()
        edit(&o)
        return try CostEstimate.estimate(o, region: "us-east-1", usage: .idle)
    }

    var valkeyNode: Double { PriceTable.redisNodeHour["cache.t4g.micro"]! * (1 - PriceTable.valkeyDiscount) }

    @Test func eachModeIsPricedFromTheTable() throws {
        let natInstance = PriceTable.instanceHour["t4g.nano"]!
        let ipv6 = try idle { $0.engine = .valkey; $0.network = .created(.init(egress: .ipv6)) }
        #expect(abs(ipv6.monthly - valkeyNode * h) < 1e-9)
        #expect(ipv6.lines.contains { $0.item == "egress-only internet gateway" && $0.monthly == 0 })
        let instance = try idle { $0.engine = .valkey; $0.network = .created(.init(egress: .natInstance)) }
        let expected = (natInstance + region.publicIPv4Hour + valkeyNode) * h + PriceTable.natRootVolumeGB * region.gp3GBMonth
        #expect(abs(instance.monthly - expected) < 1e-9)
        let own = try idle { $0.network = .existing(.init(vpcId: Variant.vpc, subnetIds: [Variant.ownSubnets[0]])) }
        #expect(abs(own.monthly - PriceTable.redisNodeHour["cache.t4g.micro"]! * h) < 1e-9)
        // Only a NAT gateway charges for the data it carries, and only there does it enter the ceiling.
        var usage = CostEstimate.Usage()
        usage.gbPerMonth = 100
        var o = StackOptions()
        o.network = .created(.init(egress: .natInstance))
        let carried = try CostEstimate.estimate(o, region: "us-east-1", usage: usage)
        #expect(!carried.lines.contains { $0.item == "NAT data processing" })
        o.network = .created(.init(egress: .natGateway))
        #expect(try CostEstimate.estimate(o, region: "us-east-1", usage: usage).lines.contains {
            $0.item == "NAT data processing" && abs($0.monthly - 100 * region.natGatewayGB) < 1e-9 })
    }

    /// The issue's targets: single-AZ Valkey idle ≤ $15 over IPv6 and ≤ $20 with a NAT
    /// instance; Multi-AZ with NAT instances under half of Multi-AZ with NAT gateways.
    @Test func theCheapShapesMeetTheirTargets() throws {
        #expect(try idle { $0.engine = .valkey; $0.network = .created(.init(egress: .ipv6)) }.monthly <= 15)
        #expect(try idle { $0.engine = .valkey; $0.network = .created(.init(egress: .natInstance)) }.monthly <= 20)
        let gateways = try idle { $0.multiAZ = true }.monthly
        #expect(try idle { $0.multiAZ = true; $0.network = .created(.init(egress: .natInstance)) }.monthly < gateways / 2)
    }

    @Test func compareListsEveryShapeCheapestFirst() throws {
        let r = try cachedemo("cost", "--region", "us-east-1", "--engine", "valkey", "--compare", "--output", "json")
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let all = try #require(doc["shapes"] as? [[String: Any]])
        let idleAll = all.compactMap { $0["idleMonthlyUSD"] as? Double }
        #expect(idleAll == idleAll.sorted())
        // Nodes and serverless, each egress × layout: 3 single-AZ, 3 Multi-AZ, 2 Multi-AZ sharing one NAT.
        let shapes = all.filter { !(($0["flags"] as? String)?.hasPrefix("--serverless") ?? false) }
        #expect(shapes.count == 8 && all.count == 16)
        #expect(shapes.first?["flags"] as? String == "--egress ipv6")
        #expect(abs((shapes.first?["idleMonthlyUSD"] as? Double ?? 0) - valkeyNode * h) < 1e-4)
        #expect(shapes.filter { $0["current"] as? Bool == true }.map { $0["flags"] as? String } == ["--egress nat-gateway"])
        #expect(shapes.allSatisfy { ($0["monthlyUSD"] as? Double ?? 0) >= ($0["idleMonthlyUSD"] as? Double ?? 1) })
        #expect(shapes.allSatisfy { !($0["tradeoff"] as? String ?? "").isEmpty })
        let text = try cachedemo("cost", "--region", "us-east-1", "--compare", "--multi-az", "--egress", "nat-instance")
        #expect(text.status == 0)
        #expect(text.stdout.contains("* --multi-az --egress nat-instance "))
        // In a VPC of one's own only the layout varies, and only as the flags allow (one subnet: no Multi-AZ).
        let own = try cachedemo("cost", "--region", "us-east-1", "--compare", "--output", "json", "--vpc-id", Variant.vpc,
                                "--subnet-ids", Variant.ownSubnets[0])
        let ownShapes = try #require((try JSONSerialization.jsonObject(with: Data(own.stdout.utf8)) as? [String: Any])?["shapes"] as? [Any])
        #expect(ownShapes.count == 1)  // serverless needs two subnets as well
        // Every row names its shape; your VPC's by its id (issue 20.10: it was an empty name).
        #expect((ownShapes.first as? [String: Any])?["flags"] as? String == "--vpc-id \(Variant.vpc)")
        let ownText = try cachedemo("cost", "--region", "us-east-1", "--compare", "--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets[0])
        #expect(ownText.stdout.contains("* --vpc-id \(Variant.vpc) "), "\(ownText.stdout)")
        // The prompt's suggestion is flags that work together.
        var shared = StackOptions()
        (shared.multiAZ, shared.network) = (true, .created(.init(singleNAT: true)))
        let cheaper = try #require(ShapeComparison.cheaperEgress(than: shared, region: "us-east-1", upstreamHasIPv6: true))
        #expect(cheaper.flag == "--egress ipv6 without --single-nat")
        let live = try cachedemo("cost", "--region", "us-east-1", "--compare", "--live")
        #expect(live.status == 64 && live.stderr.contains("drop --live"))
    }

    @Test func unknownNatInstanceTypesAreUsageErrorsListingWhatIsKnown() throws {
        let r = try cachedemo("cost", "--region", "us-east-1", "--egress", "nat-instance", "--nat-instance-type", "z9.huge")
        #expect(r.status == 64 && r.stderr.contains("t4g.nano") && r.stderr.split(separator: "\n").count == 1)
    }
}

/// Issue 11's prices: a cluster's nodes, and serverless by the GB-hour and the ECPU.
@Suite struct CacheShapeCostTests {
    let h = CostEstimate.hoursPerMonth

    @Test func aClusterBillsEveryNode() throws {
        var o = StackOptions()
        o.cache = .sharded(shards: 3, replicas: 2)
        let e = try CostEstimate.estimate(o, region: "us-east-1", usage: .idle)
        let line = try #require(e.lines.first { $0.item.hasPrefix("cache nodes") })
        #expect(line.quantity == "9 × 720 h")
        #expect(abs(line.monthly - 9 * PriceTable.redisNodeHour["cache.t4g.micro"]! * h) < 1e-9)
    }

    /// Serverless: at least the engine's minimum stored; an ECPU per KB per command (a lookup
    /// is two GETs, a miss adds a SET), worked out here from the table.
    @Test func serverlessBillsStorageAndECPUs() throws {
        var o = StackOptions()
        // Over IPv6 nothing else bills while idle.
        (o.cache, o.engine, o.network) = (.serverless(.init()), .valkey, .created(.init(egress: .ipv6)))
        let price = try #require(PriceTable.serverless[.valkey])
        var usage = CostEstimate.Usage.idle
        let idle = try CostEstimate.estimate(o, region: "us-east-1", usage: usage)
        #expect(abs(idle.monthly - price.minimumGB * price.gbHour * h) < 1e-9)
        (usage.requestsPerMonth, usage.gbPerMonth, usage.gbStored, usage.averageItemKB) = (2_000_000, 1, 3, 4)
        let busy = try CostEstimate.estimate(o, region: "us-east-1", usage: usage)
        let ecpus = 2_000_000 * (1 + 4.0) + (1_000_000 / 4.0) * 4
        let ecpuLine = try #require(busy.lines.first { $0.item == "serverless ECPUs" })
        #expect(abs(ecpuLine.monthly - ecpus / 1e6 * price.perMillionECPU) < 1e-9)
        let stored = try #require(busy.lines.first { $0.item.hasPrefix("serverless data stored") })
        #expect(abs(stored.monthly - 3 * price.gbHour * h) < 1e-9)
        #expect(!busy.lines.contains { $0.item.hasPrefix("cache nodes") })
        // Redis OSS bills at least 1 GB.
        o.engine = .redis
        let redis = try CostEstimate.estimate(o, region: "us-east-1", usage: .idle)
        #expect(abs(redis.monthly - 1.0 * PriceTable.serverless[.redis]!.gbHour * h) < 1e-9)
    }

    /// The issue's target: serverless Valkey leaving over IPv6, idle, at most $8 per 30 days.
    @Test func serverlessOverIPv6MeetsItsTarget() throws {
        var o = StackOptions()
        (o.cache, o.engine, o.network) = (.serverless(.init()), .valkey, .created(.init(egress: .ipv6)))
        #expect(try CostEstimate.estimate(o, region: "us-east-1", usage: .idle).monthly <= 8)
        let r = try cachedemo("cost", "--region", "us-east-1", "--engine", "valkey", "--compare", "--output", "json")
        let shapes = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["shapes"] as? [[String: Any]])
        #expect(shapes.first?["flags"] as? String == "--serverless --egress ipv6")
        #expect(shapes.filter { ($0["flags"] as? String)?.hasPrefix("--serverless") == true }.count == 8)
    }
}
