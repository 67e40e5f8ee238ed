import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// Shape changes the emulator accepts but ElastiCache does not, decided before a change set.
@Suite struct CacheShapeChangeTests {
    func deployed(nodes: Int = 1, failover: Bool = false, engine: String = "redis", version: String = "7.1",
                  cidr: String = "10.10.0.0/16") -> CacheShapeChange.Deployed {
        .init(nodes: nodes, failover: failover, engine: engine, engineVersion: version, vpcCIDR: cidr)
    }

    @Test func singleToMultiAZAddsTheReplicaBeforeFailover() throws {
        var multi = StackOptions()
        multi.multiAZ = true
        #expect(CacheShapeChange.plan(from: deployed(), to: multi) == .replicaFirst)
        // The first step: two nodes, failover and Multi-AZ still off (AWS refuses failover without a replica).
        multi.replicaBeforeFailover = true
        let rendered = try CacheStack(options: multi).template().rendered(as: .json)
        let first = try #require(CacheShapeChange.Deployed.from(template: rendered))
        #expect(first.nodes == 2 && !first.failover)
        #expect(CacheShapeChange.plan(from: first, to: { var o = multi; o.replicaBeforeFailover = false; return o }()) == .direct)
    }

    /// A stack created by hand from the committed YAML template is read as well as deploy's JSON.
    @Test func theDeployedShapeIsReadFromYAMLToo() throws {
        let yaml = try String(contentsOf: Repo.root.appendingPathComponent("templates/multi-az.yaml"), encoding: .utf8)
        let deployed = try #require(CacheShapeChange.Deployed.from(template: yaml))
        #expect(deployed.nodes == 2 && deployed.failover && deployed.engine == "redis" && deployed.vpcCIDR == "10.10.0.0/16")
        #expect(CacheShapeChange.plan(from: deployed, to: StackOptions()) != .direct)
    }

    @Test func inPlaceChangesAreDirect() {
        var o = StackOptions()
        o.nodeType = "cache.t4g.small"
        #expect(CacheShapeChange.plan(from: deployed(), to: o) == .direct)
        o.engine = .valkey  // redis 7.1 -> valkey 8.0: an in-place engine upgrade
        #expect(CacheShapeChange.plan(from: deployed(), to: o) == .direct)
        var multi = StackOptions()
        multi.multiAZ = true
        #expect(CacheShapeChange.plan(from: deployed(nodes: 2, failover: true), to: multi) == .direct)
    }

    @Test(arguments: [
        ("multi to single", 2, true, "redis", "7.1", "10.10.0.0/16", StackOptions(), "Keep --multi-az"),
        ("valkey to redis", 1, false, "valkey", "8.0", "10.10.0.0/16", StackOptions(), "Valkey back to Redis"),
        ("downgrade", 1, false, "redis", "7.1", "10.10.0.0/16", { var o = StackOptions(); o.engineVersion = "7.0"; return o }(),
         "cannot downgrade"),
        ("new VPC block", 1, false, "redis", "7.1", "10.20.0.0/16", StackOptions(), "--vpc-cidr"),
    ] as [(String, Int, Bool, String, String, String, StackOptions, String)])
    func changesThatBreakOnAWSAreRefused(_ name: String, _ nodes: Int, _ failover: Bool, _ engine: String, _ version: String,
                                         _ cidr: String, _ target: StackOptions, _ mention: String) {
        let plan = CacheShapeChange.plan(from: deployed(nodes: nodes, failover: failover, engine: engine, version: version, cidr: cidr),
                                         to: target)
        guard case .refused(let why) = plan else {
            Issue.record("\(name): expected a refusal, got \(plan)")
            return
        }
        #expect(why.contains(mention), "\(name): \(why)")
    }
}

/// The same on the emulator, through the CLI.
@Suite(.serialized) struct CacheShapeChangeDeployTests {
    let emulator = Emulator.shared
    func run(_ args: [String]) throws -> ProcessResult { try cachedemo(args, environment: emulator.environment) }

    @Test func singleAZBecomesMultiAZInTwoUpdatesAndBackIsRefused() throws {
        let stack = "shape-\(UUID().uuidString.prefix(6).lowercased())"
        #expect(try run(["deploy", "--stack-name", stack]).status == 0)
        let grow = try run(["deploy", "--stack-name", stack, "--multi-az", "--output", "json"])
        #expect(grow.status == 0, "\(grow.stderr)")
        #expect(grow.stderr.contains("takes two updates") && grow.stderr.contains("step 1 of 2 done"))
        let cfn = CloudFormationClient(client: try emulator.client())
        let body = try #require(try cfn.getTemplate(stack))
        let deployed = try #require(CacheShapeChange.Deployed.from(template: body))
        #expect(deployed.nodes == 2 && deployed.failover)

        let shrink = try run(["deploy", "--stack-name", stack])
        #expect(shrink.status == 64)
        #expect(shrink.stderr.split(separator: "\n").last?.contains("Keep --multi-az") == true)
        #expect(try run(["destroy", "--stack-name", stack, "--yes"]).status == 0)
    }
}

/// A stack deployed before its delivered log groups were named under /aws/vendedlogs/ gets
/// them replaced on its next update; deploy says so, and what it costs, before executing.
@Suite struct UpdateWarningsTests {
    @Test func renamedLogGroupsAndANewSecurityGroupDescriptionAreAnnounced() throws {
        let model = try CacheStack(options: StackOptions()).template()
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(model.rendered(as: .json).utf8)) as? [String: Any])
        var resources = try #require(doc["Resources"] as? [String: Any])
        for id in ["CacheSlowLogGroup", "CacheEngineLogGroup", "ApiAccessLogGroup"] {
            var r = try #require(resources[id] as? [String: Any])
            var p = try #require(r["Properties"] as? [String: Any])
            p["LogGroupName"] = nil  // as an earlier version deployed them
            r["Properties"] = p
            resources[id] = r
        }
        var group = try #require(resources["FunctionSecurityGroup"] as? [String: Any])
        var props = try #require(group["Properties"] as? [String: Any])
        props["GroupDescription"] = "an earlier description"
        group["Properties"] = props
        resources["FunctionSecurityGroup"] = group
        doc["Resources"] = resources
        let old = String(decoding: try JSONSerialization.data(withJSONObject: doc), as: UTF8.self)

        let notes = UpdateWarnings.notes(deployed: old, new: model)
        #expect(notes.count == 4, "\(notes)")
        #expect(notes.filter { $0.contains("AWS::Logs::LogGroup") && $0.contains("LogGroupName") && $0.contains("deleted") }.count == 3)
        #expect(notes.contains { $0.hasPrefix("FunctionSecurityGroup") && $0.contains("GroupDescription") })
        // The same template deployed again announces nothing.
        #expect(UpdateWarnings.notes(deployed: try model.rendered(as: .json), new: model).isEmpty)
    }
}
