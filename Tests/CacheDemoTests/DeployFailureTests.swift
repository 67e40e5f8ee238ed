import AWS
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// A recorded CloudFormation (Tests/Fakes/fake_cloudformation.py) playing `scenario`, checking
/// signatures with the emulator's key, and the environment that sends CloudFormation calls to it
/// and everything else (STS, S3) to the emulator.
func recordedCloudFormation(_ scenario: String) throws -> (HelperProcess, [String: String]) {
    let emulator = Emulator.shared
    let cfn = try HelperProcess("python3", [Paths.fakeCloudFormation, emulator.accessKeyId, emulator.secretAccessKey, scenario])
    var env = emulator.environment
    env["AWS_ENDPOINT_URL_CLOUDFORMATION"] = "http://127.0.0.1:\(cfn.firstLine)"
    return (cfn, env)
}

/// What goes wrong in real deploys, with servers that still check signatures: a failed
/// create rolling back (recorded CloudFormation responses), an endpoint that dies while
/// deploy waits, and a proxy that throttles, fails and drops 20% of calls.
@Suite(.serialized) struct DeployFailureTests {
    let emulator = Emulator.shared

    @Test func aFailedCreateReportsTheRootCauseThenRefusesThenReplaces() throws {
        let (cfn, env) = try recordedCloudFormation("rollback")
        defer { cfn.stop() }
        let stack = "rollback-\(UUID().uuidString.prefix(6).lowercased())"

        let failed = try cachedemo(["deploy", "--stack-name", stack], environment: env)
        #expect(failed.status == 1)
        let error = failed.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }
        #expect(error.count == 1)
        // The first resource that failed and its reason, not the last rollback message.
        #expect(error.first?.contains("root cause: Cache (AWS::ElastiCache::ReplicationGroup) CREATE_FAILED") == true, "\(failed.stderr)")
        #expect(error.first?.contains("not available in us-east-1e") == true)
        // A capacity failure says what to do, naming the zone (issue 21, fix 5).
        #expect(error.first?.contains("ElastiCache has no capacity for this node type in us-east-1e right now") == true, "\(failed.stderr)")
        #expect(failed.stderr.contains("ROLLBACK_COMPLETE"))
        #expect(failed.stderr.contains("CREATE_COMPLETE       Vpc"), "one line per resource event:\n\(failed.stderr)")

        let refused = try cachedemo(["deploy", "--stack-name", stack], environment: env)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("ROLLBACK_COMPLETE") && refused.stderr.contains("--replace-failed-stack"))

        let replaced = try cachedemo(["deploy", "--stack-name", stack, "--replace-failed-stack", "--output", "json"], environment: env)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stderr.contains("DELETE_COMPLETE"))
        let doc = try JSONSerialization.jsonObject(with: Data(replaced.stdout.utf8)) as? [String: Any]
        #expect(doc?["status"] as? String == "CREATE_COMPLETE")
    }

    @Test func theEndpointDyingWhileDeployWaitsIsOneLineAndARerunConverges() throws {
        let (dying, recordedEnv) = try recordedCloudFormation("dies-while-waiting")
        var env = recordedEnv
        env["AWS_MAX_ATTEMPTS"] = "2"
        let stack = "dies-\(UUID().uuidString.prefix(6).lowercased())"
        let r = try cachedemo(["deploy", "--stack-name", stack], environment: env)
        dying.stop()
        #expect(r.status == 1)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }
        #expect(errors.count == 1, "\(r.stderr)")
        #expect(errors.first?.contains("Couldn't connect") == true || errors.first?.contains("reachable") == true)

        // Restarted: CloudFormation finished the create meanwhile; the re-run finds nothing to do.
        let (restarted, restartedEnv) = try recordedCloudFormation("complete")
        defer { restarted.stop() }
        let again = try cachedemo(["deploy", "--stack-name", stack], environment: restartedEnv)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("No changes to deploy"))
    }

    @Test func theEmulatorGoingAwayWhileDeployWaitsIsOneLineAndARerunAfterRestartConverges() throws {
        // The emulator, reached through a proxy that vanishes right after ExecuteChangeSet.
        let doomed = try HelperProcess("python3", [Paths.faultProxy, emulator.endpoint, "--die-after", "ExecuteChangeSet", "--no-faults"])
        var env = emulator.environment
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(doomed.firstLine)"
        env["AWS_MAX_ATTEMPTS"] = "2"
        let stack = "killed-\(UUID().uuidString.prefix(6).lowercased())"
        let r = try cachedemo(["deploy", "--stack-name", stack, "--yes"], environment: env)
        doomed.stop()
        #expect(r.status == 1)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }
        #expect(errors.count == 1, "\(r.stderr)")
        #expect(errors.first?.contains("Couldn't connect") == true, "\(r.stderr)")

        // A new emulator (moto keeps nothing across a restart): the re-run creates the stack.
        let restarted = try HelperProcess(Paths.repo.appendingPathComponent("scripts/aws-emulator").path, ["--stop-on-stdin-close"])
        defer { restarted.stop() }
        let fresh = try JSONSerialization.jsonObject(with: Data(restarted.firstLine.utf8)) as! [String: String]
        var env2 = emulator.environment
        env2["AWS_ENDPOINT_URL"] = fresh["endpoint"]
        env2["AWS_ACCESS_KEY_ID"] = fresh["accessKeyId"]
        env2["AWS_SECRET_ACCESS_KEY"] = fresh["secretAccessKey"]
        let again = try cachedemo(["deploy", "--stack-name", stack, "--yes", "--output", "json"], environment: env2)
        #expect(again.status == 0, "\(again.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        #expect(doc?["status"] as? String == "CREATE_COMPLETE")
    }

    @Test func requestsGoThroughTheProxyTheEnvironmentNames() throws {
        let proxy = try HelperProcess("python3", [Paths.faultProxy, emulator.endpoint, "--no-faults"])
        defer { proxy.stop() }
        var env = emulator.environment
        env["http_proxy"] = "http://127.0.0.1:\(proxy.firstLine)"
        let r = try cachedemo(["whoami"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let forwarded = try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(proxy.firstLine)/__forwarded")!))
        #expect(Int(forwarded.text) == 1, "the proxy forwarded \(forwarded.text) requests")
        env["NO_PROXY"] = "127.0.0.1"
        let bypassed = try cachedemo(["whoami"], environment: env)
        #expect(bypassed.status == 0)
        let after = try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(proxy.firstLine)/__forwarded")!))
        #expect(Int(after.text) == 1, "NO_PROXY was not honoured")
    }

    @Test func deployAndDestroySucceedThroughAProxyFailingOneCallInFive() throws {
        let proxy = try HelperProcess("python3", [Paths.faultProxy, emulator.endpoint])
        defer { proxy.stop() }
        var env = emulator.environment
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(proxy.firstLine)"
        let stack = "faulty-\(UUID().uuidString.prefix(6).lowercased())"
        let deployed = try cachedemo(["deploy", "--stack-name", stack, "--multi-az", "--yes"], environment: env)
        #expect(deployed.status == 0, "\(deployed.stderr)")
        let destroyed = try cachedemo(["destroy", "--stack-name", stack, "--yes"], environment: env)
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(destroyed.stderr.contains("nothing billable left"))
        let faults = try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(proxy.firstLine)/__faults")!))
        #expect((Int(faults.text) ?? 0) >= 5, "the proxy failed \(faults.text) calls")
    }
}

/// Waiting can be bounded or interrupted; the stack operation is never cancelled behind the user's back.
@Suite(.serialized) struct DeployWaitTests {
    @Test func waitTimeoutSaysTheOperationContinues() throws {
        let (cfn, env) = try recordedCloudFormation("stuck")
        defer { cfn.stop() }
        let r = try cachedemo(["deploy", "--stack-name", "stuck-a", "--wait-timeout", "0.05"], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("gave up waiting after 3 s; the stack operation continues"))
        #expect(r.stderr.contains("cachedemo status --stack-name stuck-a"))
    }

    /// Ctrl-C, a CI runner's SIGTERM and a closed terminal's SIGHUP all stop the wait the same
    /// way: the operation goes on, the user is told how to follow it, exit 128 + the signal.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aStopSignalStopsWaitingAndSaysTheOperationGoesOn(_ sig: Int32) throws {
        let (cfn, env) = try recordedCloudFormation("stuck")
        defer { cfn.stop() }
        // Wait until it is following the stack, then interrupt it.
        let started = try start(Repo.binary, ["deploy", "--stack-name", "stuck-b", "--wait-timeout", "1"],  // a safety net
                                environment: env, watchStderr: true, until: "CREATE_IN_PROGRESS")
        let p = started.process
        kill(p.processIdentifier, sig)
        p.waitUntilExit()
        let text = started.text + String(decoding: started.output.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 128 + sig)
        #expect(text.contains("the stack operation continues in CloudFormation"), "\(text)")
    }
}

/// A stack busy with another operation is waited for, or refused with --no-wait-for-pending.
@Suite(.serialized) struct BusyStackTests {
    @Test func deployWaitsForTheOtherOperationThenGoesOn() throws {
        let (cfn, env) = try recordedCloudFormation("busy")
        defer { cfn.stop() }
        let r = try cachedemo(["deploy", "--stack-name", "busy-a", "--wait-timeout", "1"], environment: env)  // a safety net
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("is UPDATE_IN_PROGRESS; waiting for that operation to finish first"))
        #expect(r.stderr.contains("UPDATE_COMPLETE"))
        #expect(r.stderr.contains("No changes to deploy"))
    }

    @Test func noWaitForPendingStopsWithAClearLine() throws {
        let (cfn, env) = try recordedCloudFormation("busy")
        defer { cfn.stop() }
        let r = try cachedemo(["deploy", "--stack-name", "busy-b", "--no-wait-for-pending"], environment: env)
        #expect(r.status == 1)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }
        #expect(errors.count == 1 && errors.first?.contains("is busy (UPDATE_IN_PROGRESS)") == true, "\(r.stderr)")
    }
}
