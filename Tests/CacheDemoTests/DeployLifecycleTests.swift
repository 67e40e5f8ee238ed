import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// The commands CI pipelines run, end to end on the signature-checking emulator.
@Suite(.serialized) struct DeployLifecycleTests {
    let emulator = Emulator.shared

    func json(_ r: ProcessResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "stdout: \(r.stdout)\nstderr: \(r.stderr)")
    }

    func run(_ args: [String]) throws -> ProcessResult { try cachedemo(args, environment: emulator.environment) }

    /// The function's environment, read back through Lambda's own API.
    func functionEnvironment(_ name: String) throws -> [String: String] {
        let response = try emulator.client().send(.lambda, method: "GET", path: "/2015-03-31/functions/\(name)/configuration")
        let doc = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return ((doc?["Environment"] as? [String: Any])?["Variables"] as? [String: String]) ?? [:]
    }

    @Test(arguments: [false, true])
    func deployUpdateNoChangeSmokeDestroy(multiAZ: Bool) throws {
        let stack = "life-\(multiAZ ? "multi" : "single")-\(UUID().uuidString.prefix(6).lowercased())"
        let az = multiAZ ? ["--multi-az"] : []

        // Create.
        let created = try run(["deploy", "--stack-name", stack, "--output", "json"] + az)
        #expect(created.status == 0, "\(created.stderr)")
        let c = try json(created)
        #expect(c["status"] as? String == "CREATE_COMPLETE")
        #expect(c["uploaded"] as? Bool == true)
        let outputs = try #require(c["outputs"] as? [String: String])
        #expect(outputs["ApiEndpoint"]?.hasPrefix("http://127.0.0.1:") == true)  // the emulator serves the API
        let changes = c["changes"] as? [[String: Any]] ?? []
        var options = StackOptions()
        options.multiAZ = multiAZ
        #expect(changes.count == (try CacheStack(options: options).template().resources.count))
        #expect(changes.allSatisfy { $0["action"] as? String == "Add" })
        #expect(created.stderr.contains("CREATE_COMPLETE"))

        // Status shows the outputs.
        let status = try json(run(["status", "--stack-name", stack, "--output", "json"]))
        #expect(status["status"] as? String == "CREATE_COMPLETE")
        #expect((status["outputs"] as? [String: String]) == outputs)
        #expect((status["resources"] as? [Any])?.count == changes.count)

        // An update that touches only the function.
        let functionName = try #require(outputs["FunctionName"])
        #expect(try functionEnvironment(functionName)["CACHE_TTL_SECONDS"] == "3600")
        let updated = try json(run(["deploy", "--stack-name", stack, "--cache-ttl", "60", "--output", "json"] + az))
        #expect(updated["status"] as? String == "UPDATE_COMPLETE")
        let updateChanges = (updated["changes"] as? [[String: Any]] ?? []).map { "\($0["action"]!) \($0["logicalId"]!)" }
        #expect(updateChanges == ["Modify Function"])
        #expect(updated["uploaded"] as? Bool == false)
        #expect(try functionEnvironment(functionName)["CACHE_TTL_SECONDS"] == "60")

        // Unchanged: "No changes", exit 0, nothing uploaded.
        let again = try run(["deploy", "--stack-name", stack, "--cache-ttl", "60", "--output", "json"] + az)
        #expect(again.status == 0)
        #expect(again.stderr.contains("No changes to deploy"))
        let a = try json(again)
        #expect(a["noChanges"] as? Bool == true && a["uploaded"] as? Bool == false && a["executed"] as? Bool == false)

        // smoke-test reads the endpoint from the stack (the upstream here, api.agify.io, is out of
        // reach: EmulatorPipelineTests runs the whole pipeline against a local one).
        let smoke = try run(["smoke-test", "--stack-name", stack, "--requests", "1"])
        #expect(smoke.stderr.contains("smoke-testing \(outputs["ApiEndpoint"]!) (ApiEndpoint of stack \(stack))"))

        // invalidate finds the same endpoint and is signed; nothing was cached there, so the purge says so.
        let purge = try run(["invalidate", "--stack-name", stack, "/people?name=ada"])
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("ok    /people?name=ada  nothing was cached"))

        // Destroy: gone, and nothing left in the services' own describe calls.
        let destroyed = try json(run(["destroy", "--stack-name", stack, "--yes", "--output", "json"]))
        #expect(destroyed["status"] as? String == "DELETE_COMPLETE")
        #expect(destroyed["billableLeft"] as? Bool == false)
        #expect((destroyed["leftovers"] as? [Any])?.isEmpty == true)
        let gone = try run(["status", "--stack-name", stack])
        #expect(gone.status == 1 && gone.stderr.contains("does not exist"))
        let q = BillableQueries(client: emulator.client())
        #expect(try q.vpcs([outputs["VpcId"]!]).isEmpty)
        #expect(try q.liveNatGateways(ids: [], tagKey: "cachedemo:stack", tagValue: stack).isEmpty)
        #expect(try q.elasticIPs(allocationIds: [], tagKey: "cachedemo:stack", tagValue: stack).isEmpty)
        #expect(try q.replicationGroups([outputs["CacheReplicationGroupId"]!]).isEmpty)
        #expect(try q.functions([functionName]).isEmpty)
        #expect(try q.httpApis([outputs["ApiId"]!]).isEmpty)

        // Destroying again: nothing to destroy, exit 0.
        let twice = try run(["destroy", "--stack-name", stack, "--yes"])
        #expect(twice.status == 0 && twice.stderr.contains("nothing to destroy"))
    }

    @Test func noExecuteLeavesAChangeSetForReview() throws {
        let stack = "review-\(UUID().uuidString.prefix(6).lowercased())"
        let r = try run(["deploy", "--stack-name", stack, "--no-execute", "--output", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("aws cloudformation execute-change-set"))
        let doc = try json(r)
        #expect(doc["executed"] as? Bool == false)
        let status = try json(run(["status", "--stack-name", stack, "--output", "json"]))
        #expect(status["status"] as? String == "REVIEW_IN_PROGRESS")
    }

    @Test func aTemplateTheEmulatorRejectsIsOneLineAndExit1() throws {
        let stack = "rejected-\(UUID().uuidString.prefix(6).lowercased())"
        let r = try run(["deploy", "--stack-name", stack, "--parameter-overrides", "CodeS3Bucket=no-such-bucket-anywhere"])
        #expect(r.status == 1)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("NoSuchBucket") == true)
        #expect(!r.stderr.contains(emulator.secretAccessKey))
    }

    @Test func badDeployInputIsAUsageError() throws {
        for args in [["--parameter-overrides", "Nope=1"], ["--parameter-overrides", "CodeS3Key"], ["--stack-name", "1bad"],
                     ["--tags", "novalue"], ["--vpc-cidr", "10.0.0.0/8"], ["--wait-timeout", "0"]] {
            let r = try run(["deploy"] + args)
            #expect(r.status == 64, "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
    }

    /// Runs the three invocations at once, as three CI jobs of one stack would.
    func atOnce(_ invocations: [[String]]) -> [ProcessResult?] {
        let results = LockedResults(count: invocations.count)
        DispatchQueue.concurrentPerform(iterations: invocations.count) { i in results.set(i, try? run(invocations[i])) }
        return results.all
    }

    /// Issue 20.8: three deploys of one stack at once. None fails on a name clash, none is
    /// lost while saying it succeeded: each either runs its own operation (its token on that
    /// operation's events) or plans again after the other and says so, and each shows only
    /// its own operation's events.
    @Test func concurrentDeploysEachRunTheirOwnOperationOrPlanAgain() throws {
        let stack = "conc-\(UUID().uuidString.prefix(6).lowercased())"
        let creates = atOnce(Array(repeating: ["deploy", "--stack-name", stack, "--output", "json"], count: 3))
        var created = 0
        for r in creates {
            let r = try #require(r)
            #expect(r.status == 0, "\(r.stderr)")
            let doc = try json(r)
            if doc["executed"] as? Bool == true { created += 1; #expect(doc["status"] as? String == "CREATE_COMPLETE") }
            else { #expect(doc["noChanges"] as? Bool == true, "\(r.stderr)") }
        }
        #expect(created == 1)

        let ttls = ["61", "62", "63"]
        let updates = atOnce(ttls.map { ["deploy", "--stack-name", stack, "--cache-ttl", $0, "--output", "json"] })
        let events = try CloudFormationClient(client: emulator.client()).describeStackEvents(stack)
        let stackLevel = events.filter { $0.type == "AWS::CloudFormation::Stack" && $0.status == "UPDATE_COMPLETE" }
        var tokens: [String: String] = [:]  // token -> TTL
        for (ttl, r) in zip(ttls, updates) {
            let r = try #require(r)
            #expect(r.status == 0, "\(r.stderr)")
            let doc = try json(r)
            #expect(doc["status"] as? String == "UPDATE_COMPLETE" && doc["executed"] as? Bool == true, "\(r.stderr)")
            let token = try #require(doc["operationToken"] as? String)
            tokens[token] = ttl
            // Its own operation is on the stack's record, under its token: it was not lost.
            #expect(stackLevel.contains { $0.clientRequestToken?.hasPrefix(token) == true }, "deploy of TTL \(ttl) left no operation")
            // It showed its own operation's stack-level events only: one start, one end.
            let shown = r.stderr.split(separator: "\n").filter { $0.contains("AWS::CloudFormation::Stack") }
            #expect(shown.filter { $0.contains("UPDATE_IN_PROGRESS") }.count == 1, "\(r.stderr)")
            #expect(shown.filter { $0.contains("UPDATE_COMPLETE") }.count == 1, "\(r.stderr)")
        }
        // The function runs the TTL of the last operation to finish.
        let last = try #require(stackLevel.first?.clientRequestToken)  // newest first
        let winner = try #require(tokens.first { last.hasPrefix($0.key) }?.value)
        let name = try #require(try json(run(["status", "--stack-name", stack, "--output", "json"]))["outputs"] as? [String: String])["FunctionName"]
        #expect(try functionEnvironment(try #require(name))["CACHE_TTL_SECONDS"] == winner)

        // Issue 20.10: a deploy that fails before running anything shows no timeline (the
        // stack's previous operation is not its own); destroy of no stack says none was written.
        let failed = try run(["deploy", "--stack-name", stack, "--artifact-bucket", "no-such-bucket-\(stack)", "--cache-ttl", "70"])
        #expect(failed.status == 1 && failed.stderr.contains("NoSuchBucket"), "\(failed.stderr)")
        #expect(!failed.stdout.contains("timeline"), "another operation's timeline: \(failed.stdout)")
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("none-\(stack).svg").path
        let none = try run(["destroy", "--stack-name", "no-\(stack)", "--yes", "--timeline-svg", svg])
        #expect(none.status == 0 && none.stderr.contains("no timeline was written to \(svg)"), "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: svg))
        #expect(try run(["destroy", "--stack-name", stack, "--yes"]).status == 0)
    }

    /// Issue 21, fix 5: what is not sold where the stack goes is refused before anything is
    /// uploaded, naming the zone (EC2's per-zone offerings, as `Fn::GetAZs` picks the zones)
    /// and what to take instead; a node type the region does not sell likewise.
    @Test func whatIsNotSoldWhereTheStackGoesIsRefusedFirst() throws {
        let stack = "offer-\(UUID().uuidString.prefix(6).lowercased())"
        // ap-northeast-2's first two zones: t3a.nano is not offered in ap-northeast-2b.
        let nat = try run(["deploy", "--stack-name", stack, "--region", "ap-northeast-2", "--multi-az", "--egress", "nat-instance",
                           "--nat-instance-type", "t3a.nano", "--yes"])
        #expect(nat.status == 1)
        let line = nat.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }
        #expect(line.count == 1 && line[0].contains("t3a.nano is not offered in ap-northeast-2b")
                && line[0].contains("use --nat-instance-type t4g.nano"), "\(nat.stderr)")
        #expect(!nat.stderr.contains("uploaded"), "it uploaded before refusing")
        let node = try run(["deploy", "--stack-name", stack, "--node-type", "cache.m3.medium", "--yes"])
        #expect(node.status == 1 && node.stderr.contains("--node-type cache.m3.medium is not sold in us-east-1"), "\(node.stderr)")
        #expect(try CloudFormationClient(client: emulator.client()).describeStack(stack)?.id == nil, "a stack was made")
    }

    @Test func destroyWithoutATerminalNeedsYes() throws {
        let r = try run(["destroy", "--stack-name", "anything"])
        #expect(r.status == 64 && r.stderr.contains("--yes"))
        let zero = try run(["destroy", "--stack-name", "anything", "--yes", "--wait-timeout", "0"])
        #expect(zero.status == 64 && zero.stderr.contains("--wait-timeout"))
    }
}

/// On a terminal, deploy and destroy ask first (never in CI): run under a pseudo-terminal.
@Suite(.serialized) struct PromptTests {
    let emulator = Emulator.shared

    func onTerminal(_ args: [String], answer: String) throws -> ProcessResult {
        try cachedemoOnTerminal(args, answer: answer, environment: emulator.environment)
    }

    @Test func deployShowsTheCostAndAsksAndNoMeansNothingChanges() throws {
        let stack = "prompt-\(UUID().uuidString.prefix(6).lowercased())"
        let no = try onTerminal(["deploy", "--stack-name", stack], answer: "n")
        #expect(no.status == 1)
        #expect(no.stdout.contains("Execute this change set? [y/N]"))
        #expect(no.stdout.contains("costs about $0.066 an hour"), "\(no.stdout)")
        #expect(no.stdout.contains("deploy cancelled; the change set and the empty stack it made were deleted"))
        // Declining leaves no empty REVIEW_IN_PROGRESS stack behind.
        let status = try cachedemo(["status", "--stack-name", stack], environment: emulator.environment)
        #expect(status.status == 1 && status.stderr.contains("does not exist"), "\(status.stdout)\(status.stderr)")
        let yes = try onTerminal(["deploy", "--stack-name", stack], answer: "y")
        #expect(yes.status == 0, "\(yes.stdout)")
        #expect(yes.stdout.contains("CREATE_COMPLETE"))

        let keep = try onTerminal(["destroy", "--stack-name", stack], answer: "")
        #expect(keep.status == 1 && keep.stdout.contains("destroy cancelled; nothing was deleted"))
        let gone = try onTerminal(["destroy", "--stack-name", stack], answer: "yes")
        #expect(gone.status == 0, "\(gone.stdout)")
        #expect(gone.stdout.contains("DELETE_COMPLETE"))
    }
}

/// Results written from several threads at once.
final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [ProcessResult?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: ProcessResult?) { lock.withLock { results[i] = r } }
    var all: [ProcessResult?] { lock.withLock { results } }
}
