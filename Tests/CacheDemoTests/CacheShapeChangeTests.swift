import AWS
import CloudFormation
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
        let rendered = try CacheStack(options: multi, plan: DeployPlan(replicaBeforeFailover: true)).template().rendered(as: .json)
        let first = try #require(CacheShapeChange.Deployed.from(template: rendered))
        #expect(first.nodes == 2 && !first.failover)
        #expect(CacheShapeChange.plan(from: first, to: multi) == .direct)
    }

    /// A stack created by hand from the committed YAML template is read as well as deploy's JSON.
    @Test func theDeployedShapeIsReadFromYAMLToo() throws {
        let yaml = try String(contentsOf: Repo.root.appendingPathComponent("templates/multi-az.yaml"), encoding: .utf8)
        let deployed = try #require(CacheShapeChange.Deployed.from(template: yaml))
        #expect(deployed.nodes == 2 && deployed.failover && deployed.engine == "redis" && deployed.vpcCIDR == "10.10.0.0/16")
        #expect(CacheShapeChange.plan(from: deployed, to: StackOptions()) != .direct)
    }

    /// Issue 21, fix 2: another shard count is an update of its own first (AWS: NumNodeGroups
    /// the only change of its stack update), made from the deployed template's own text.
    @Test func aShardCountChangeIsItsOwnUpdateFirst() throws {
        var three = StackOptions()
        three.cache = .sharded(shards: 3, replicas: nil)
        var cluster = deployed()
        cluster.shape = .sharded(shards: 2, replicas: 0)
        #expect(CacheShapeChange.plan(from: cluster, to: three) == .reshardFirst(from: 2, to: 3))
        three.cache = .sharded(shards: 3, replicas: 1)  // another replica count replaces the cluster: no resharding step for it
        #expect(CacheShapeChange.plan(from: cluster, to: three) == .direct)
        for format in [TemplateFormat.json, .yaml] {
            var two = StackOptions()
            two.cache = .sharded(shards: 2, replicas: nil)
            let rendered = try CacheStack(options: two).template().rendered(as: format)
            let stepOne = try #require(Deployer.withShards(5, in: rendered))
            #expect(CacheShapeChange.Deployed.from(template: stepOne)?.shape == .sharded(shards: 5, replicas: 0))
            #expect(stepOne.count == rendered.count, "only the number changed")
        }
        #expect(Deployer.withShards(5, in: #"{"A": {"NumNodeGroups": 2}, "B": {"NumNodeGroups": 2}}"#) == nil, "two: which one?")
        #expect(Deployer.failedReshardNote(from: 4, to: 2).contains("does not roll node-group changes back"))
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
        // Both updates' changes are this deploy's: the replica first, then failover and Multi-AZ.
        let grew = try #require(try JSONSerialization.jsonObject(with: Data(grow.stdout.utf8)) as? [String: Any])
        #expect(((grew["changes"] as? [[String: Any]]) ?? []).filter { $0["logicalId"] as? String == "Cache" }.count == 2, "\(grew)")
        let cfn = CloudFormationClient(client: try emulator.client())
        let body = try #require(try cfn.getTemplate(stack))
        let deployed = try #require(CacheShapeChange.Deployed.from(template: body))
        #expect(deployed.nodes == 2 && deployed.failover)

        let shrink = try run(["deploy", "--stack-name", stack])
        #expect(shrink.status == 64)
        #expect(shrink.stderr.split(separator: "\n").last?.contains("Keep --multi-az") == true)
        #expect(try run(["destroy", "--stack-name", stack, "--yes"]).status == 0)
    }

    /// A cluster: more shards is an in-place update (online resharding), said; other replicas
    /// per shard replace it (create-only), and --fail-on-replacement stops that; one primary,
    /// a cluster and serverless do not turn into each other.
    @Test func aClusterReshardsInPlaceAndItsReplicasReplaceIt() throws {
        let stack = "shards-\(UUID().uuidString.prefix(6).lowercased())"
        #expect(try run(["deploy", "--stack-name", stack, "--shards", "2"]).status == 0)
        let reshard = try run(["deploy", "--stack-name", stack, "--shards", "3", "--output", "json"])
        #expect(reshard.status == 0, "\(reshard.stderr)")
        #expect(reshard.stderr.contains("resharding from 2 to 3 shards as an update of its own"))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(reshard.stdout.utf8)) as? [String: Any])
        let changes = try #require(doc["changes"] as? [[String: Any]])
        #expect(changes.contains { $0["logicalId"] as? String == "Cache" && $0["replacement"] as? String == "False" }, "\(changes)")

        // Shards and something else (issue 21, fix 2): NumNodeGroups alone in the first update, then the rest.
        let both = try run(["deploy", "--stack-name", stack, "--shards", "4", "--cache-ttl", "61", "--output", "json"])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stderr.contains("step 1 of 2 done: 4 shards; now the rest of the update"), "\(both.stderr)")
        let second = try #require(try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as? [String: Any])
        #expect((second["changes"] as? [[String: Any]])?.compactMap { $0["logicalId"] as? String } == ["Cache", "Function"], "\(second)")
        let token = try #require(second["operationToken"] as? String)
        let events = try CloudFormationClient(client: emulator.client()).describeStackEvents(stack)
        let ownUpdates = events.filter {
            $0.type == "AWS::CloudFormation::Stack" && $0.status == "UPDATE_COMPLETE" && $0.clientRequestToken?.hasPrefix(token) == true
        }
        #expect(ownUpdates.count == 2, "two updates of its own, the first the shards alone")
        let firstUpdate = events.filter { $0.clientRequestToken == ownUpdates.last?.clientRequestToken && $0.type != "AWS::CloudFormation::Stack" }
        #expect(Set(firstUpdate.map(\.logicalId)) == ["Cache"], "the resharding update touched more: \(firstUpdate.map(\.logicalId))")

        let replicas = try run(["deploy", "--stack-name", stack, "--shards", "4", "--replicas", "1", "--fail-on-replacement"])
        #expect(replicas.status == 1)
        #expect(replicas.stderr.contains("ReplicasPerNodeGroup is fixed at creation"))
        #expect(replicas.stderr.contains("Cache (AWS::ElastiCache::ReplicationGroup)"), "\(replicas.stderr)")
        for other in [[], ["--serverless"]] {
            let moved = try run(["deploy", "--stack-name", stack] + other)
            #expect(moved.status == 64 && moved.stderr.contains("the stack's cache is a 4-shard cluster"), "\(moved.stderr)")
        }
        #expect(try run(["destroy", "--stack-name", stack, "--yes"]).status == 0)
    }
}

/// A change set that replaces something says so where it cannot be missed, with what it
/// costs; --fail-on-replacement stops CI before executing it. On the emulator, whose plugin
/// reports replacement from the resource schemas' create-only properties, as AWS does.
@Suite(.serialized) struct ReplacementTests {
    let emulator = Emulator.shared
    func run(_ args: [String]) throws -> ProcessResult { try cachedemo(args, environment: emulator.environment) }

    /// The stack as an earlier version deployed it: delivered log groups without a name (and,
    /// with `cachePort`, a cache on another port, which replacing the cache brings back).
    func deployEarlierVersion(_ stack: String, cachePort: Int? = nil) throws {
        #expect(try run(["deploy", "--stack-name", stack]).status == 0)
        let cfn = CloudFormationClient(client: try emulator.client())
        let live = try #require(try cfn.describeStack(stack))
        let deployedBody = try #require(try cfn.getTemplate(stack))
        var doc = try #require(DeployedTemplate.parse(deployedBody))
        var resources = try #require(doc["Resources"] as? [String: Any])
        for id in ["CacheSlowLogGroup", "CacheEngineLogGroup", "ApiAccessLogGroup"] {
            var r = try #require(resources[id] as? [String: Any])
            var p = try #require(r["Properties"] as? [String: Any])
            p["LogGroupName"] = nil
            r["Properties"] = p
            resources[id] = r
        }
        if let cachePort {
            var cache = try #require(resources["Cache"] as? [String: Any])
            var p = try #require(cache["Properties"] as? [String: Any])
            p["Port"] = cachePort
            cache["Properties"] = p
            resources["Cache"] = cache
        }
        doc["Resources"] = resources
        let body = String(decoding: try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys]), as: UTF8.self)
        let created = try cfn.createChangeSet(.init(stackName: stack, changeSetName: "earlier", changeSetType: "UPDATE",
                                                    templateBody: body, templateURL: nil, parameters: live.parameters,
                                                    capabilities: ["CAPABILITY_IAM"], tags: [:], clientToken: UUID().uuidString))
        try cfn.executeChangeSet(created.id, stackName: stack, clientToken: UUID().uuidString)
    }

    @Test func replacementsAreNamedWithTheirCostAndCanStopCI() throws {
        let stack = "replace-\(UUID().uuidString.prefix(6).lowercased())"
        try deployEarlierVersion(stack)

        // CI: refused before executing, naming what would be replaced, and listing it in JSON.
        let refused = try run(["deploy", "--stack-name", stack, "--fail-on-replacement", "--output", "json"])
        #expect(refused.status == 1)
        let line = refused.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("CacheSlowLogGroup (AWS::Logs::LogGroup)") && line.contains("--fail-on-replacement"), "\(line)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
        #expect((listed["replacements"] as? [Any])?.count == 3 && listed["executed"] as? Bool == false)

        // Without the flag: marked in the table, said in words, listed in the JSON document.
        let done = try run(["deploy", "--stack-name", stack, "--output", "json"])
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stderr.contains("True  <- REPLACED"))
        #expect(done.stderr.contains("replaced: ApiAccessLogGroup (AWS::Logs::LogGroup): a new log group: the old one is deleted"))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(done.stdout.utf8)) as? [String: Any])
        let replaced = (doc["replacements"] as? [[String: Any]] ?? []).compactMap { $0["logicalId"] as? String }
        #expect(Set(replaced) == ["CacheSlowLogGroup", "CacheEngineLogGroup", "ApiAccessLogGroup"])

        // An update of the TTL replaces nothing: a plain Modify, Replacement False.
        let ttl = try run(["deploy", "--stack-name", stack, "--cache-ttl", "90", "--fail-on-replacement", "--output", "json"])
        #expect(ttl.status == 0, "\(ttl.stderr)")
        let t = try #require(try JSONSerialization.jsonObject(with: Data(ttl.stdout.utf8)) as? [String: Any])
        #expect((t["replacements"] as? [Any])?.isEmpty == true)
        #expect((t["changes"] as? [[String: Any]])?.first?["replacement"] as? String == "False")
        #expect(try run(["destroy", "--stack-name", stack, "--yes"]).status == 0)
    }

    /// Losing the cache's data asks a second, explicit question on a terminal; "no" there
    /// executes nothing.
    @Test func replacingTheCacheAsksTwice() throws {
        let stack = "twice-\(UUID().uuidString.prefix(6).lowercased())"
        try deployEarlierVersion(stack, cachePort: 6380)
        let r = try cachedemoOnTerminal(["deploy", "--stack-name", stack], answer: "y\nn", environment: emulator.environment)
        #expect(r.status == 1, "\(r.stdout)")
        #expect(r.stdout.contains("replaced: Cache (AWS::ElastiCache::ReplicationGroup): the cache is emptied and its endpoint changes"))
        #expect(r.stdout.contains("Execute this change set? [y/N]"))
        #expect(r.stdout.contains("It replaces what holds state (Cache: the cache is emptied"), "\(r.stdout)")
        #expect(r.stdout.contains("deploy cancelled; the change set was deleted and nothing changed"))
        #expect(try run(["destroy", "--stack-name", stack, "--yes"]).status == 0)
    }

    /// IAM became the default: a stack that has an AUTH token keeps it on a plain redeploy
    /// (switching may replace the cache); asked for, the switch is marked as such.
    @Test func aTokenStackKeepsItsTokenUnlessToldToSwitch() throws {
        let stack = "keep-token-\(UUID().uuidString.prefix(6).lowercased())"
        #expect(try run(["deploy", "--stack-name", stack, "--cache-auth", "token"]).status == 0)
        // Through a counting proxy: the deployed template is read once per deploy (issue 21).
        let proxy = try HelperProcess("python3", [Paths.faultProxy, emulator.endpoint, "--no-faults"])
        defer { proxy.stop() }
        var proxied = emulator.environment
        proxied["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(proxy.firstLine)"
        let again = try cachedemo(["deploy", "--stack-name", stack], environment: proxied)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("keeping it") && again.stderr.contains("No changes to deploy"), "\(again.stderr)")
        let counted = try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(proxy.firstLine)/__actions")!))
        let actions = try #require(try JSONSerialization.jsonObject(with: Data(counted.text.utf8)) as? [String: Int])
        #expect(actions["GetTemplate"] == 1, "\(actions)")
        let switched = try run(["deploy", "--stack-name", stack, "--cache-auth", "iam", "--fail-on-replacement", "--output", "json"])
        #expect(switched.status == 1)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(switched.stdout.utf8)) as? [String: Any])
        let cache = (doc["replacements"] as? [[String: Any]])?.first { $0["logicalId"] as? String == "Cache" }
        #expect(cache?["replacement"] as? String == "Conditional", "\(switched.stdout)")
        #expect(try run(["destroy", "--stack-name", stack, "--yes"]).status == 0)
    }

    @Test func theCostOfEachReplacedTypeIsSaid() {
        let changes = [CloudFormationClient.Change(action: "Modify", logicalId: "Cache", type: "AWS::ElastiCache::ReplicationGroup",
                                                   replacement: "True"),
                       CloudFormationClient.Change(action: "Modify", logicalId: "HttpApi", type: "AWS::ApiGatewayV2::Api",
                                                   replacement: "Conditional"),
                       CloudFormationClient.Change(action: "Modify", logicalId: "Function", type: "AWS::Lambda::Function",
                                                   replacement: "False")]
        let planned = Replacements.planned(in: changes)
        #expect(planned.map(\.logicalId) == ["Cache", "HttpApi"])
        #expect(planned[0].consequence == "the cache is emptied and its endpoint changes" && planned[0].stateful)
        #expect(planned[1].consequence.hasPrefix("may be replaced: the HTTP API's URL changes"))
    }
}

/// Egress and the VPC as a deployed template shows them, and what changing them does.
@Suite struct EgressChangeTests {
    func deployed(_ flags: [String]) throws -> CacheShapeChange.Deployed {
        let v = Variant(name: "", flags: flags, natGateways: 0, subnets: 0, cacheNodes: 0)
        return try #require(CacheShapeChange.Deployed.from(template: try CacheStack(options: v.options).template().rendered(as: .json)))
    }

    func options(_ flags: [String]) -> StackOptions { Variant(name: "", flags: flags, natGateways: 0, subnets: 0, cacheNodes: 0).options }

    @Test func theDeployedEgressIsReadFromTheTemplate() throws {
        #expect(try deployed([]).egress == .natGateway)
        #expect(try deployed(["--egress", "nat-instance"]).egress == .natInstance)
        #expect(try deployed(["--egress", "ipv6"]).egress == .ipv6)
        let own = try deployed(["--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets[0]])
        #expect(own.egress == nil && own.existingVPC == Variant.vpc && own.vpcCIDR == nil)
    }

    /// Switching egress is an update CloudFormation can do, said with what it interrupts;
    /// moving between VPCs would replace the cache and is refused.
    @Test func switchingEgressIsSaidAndMovingVPCsIsRefused() throws {
        let natGateway = try deployed([])
        #expect(CacheShapeChange.plan(from: natGateway, to: options(["--egress", "ipv6"])) == .direct)
        let note = try #require(CacheShapeChange.egressNote(from: natGateway, to: options(["--egress", "ipv6"])))
        #expect(note.contains("from nat-gateway to ipv6") && note.contains("misses may fail") && note.contains("Conditional"))
        #expect(CacheShapeChange.egressNote(from: natGateway, to: options([])) == nil)
        // Back from IPv6 the blocks stay: a subnet cannot give one up while ENIs hold addresses from it.
        let back = try #require(CacheShapeChange.egressNote(from: try deployed(["--egress", "ipv6"]), to: options([])))
        #expect(back.contains("keep their IPv6 blocks"))
        let doc = try CacheStack(options: options([]), plan: DeployPlan(keepIPv6Addressing: true)).template()
        #expect(doc.resource("VpcIpv6CidrBlock") != nil && doc.resource("NatGateway1") != nil)
        let own = ["--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets[0]]
        guard case .refused(let into) = CacheShapeChange.plan(from: natGateway, to: options(own)) else {
            Issue.record("moving into a VPC was not refused")
            return
        }
        #expect(into.contains("its own VPC") && into.contains("VPC \(Variant.vpc)") && into.contains("replace the cache"))
        let inOwn = try deployed(own)
        #expect(CacheShapeChange.plan(from: inOwn, to: options(own)) == .direct)
        #expect(CacheShapeChange.plan(from: inOwn, to: options(["--vpc-id", "vpc-0123456789abcdef9", "--subnet-ids",
                                                                   Variant.ownSubnets[0]])) != .direct)
    }
}
