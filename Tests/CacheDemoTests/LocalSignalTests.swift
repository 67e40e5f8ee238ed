import Foundation
import Testing
import TestSupport

@testable import CacheDemo
import AWS

#if canImport(Glibc)
import Glibc
#endif

/// Issue 20.2-4: `cachedemo local` stopped by a signal at any moment — start-up included,
/// to the process or to its whole group as a terminal's Ctrl-C sends it, or killed outright —
/// leaves no process and no file, and exits 128 + the signal. Checked with real processes:
/// the process table (/proc) is read for anything of that run, whose folder carries its pid.
@Suite(.serialized) struct LocalSignalTests {
    /// Processes of the `cachedemo local` with this pid: the folder it made
    /// (`cachedemo-local-pid<pid>-…`) is their working folder (redis-server moves there)
    /// or on their command line (the node programs run from it).
    static func processes(ofRun pid: Int32) -> [String] {
        let marker = "cachedemo-local-pid\(pid)-"
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard Int32(entry) != nil else { return nil }
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd")) ?? ""
            let cmdline = (FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return cwd.contains(marker) || cmdline.contains(marker) ? "\(entry) \(cmdline.replacingOccurrences(of: "\0", with: " "))" : nil
        }
    }

    /// What the run left on disk: its folder, and purge key files that name its pid.
    static func files(ofRun pid: Int32) -> [String] {
        let tmp = FileManager.default.temporaryDirectory.path
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [])
            .filter { $0.hasPrefix("cachedemo-local-pid\(pid)-") }.map { "\(tmp)/\($0)" }
        let keys = "/tmp/cachedemo-\(getuid())"
        let keyFiles = ((try? FileManager.default.contentsOfDirectory(atPath: keys)) ?? []).map { "\(keys)/\($0)" }.filter {
            (FileManager.default.contents(atPath: $0).map { String(decoding: $0, as: UTF8.self) } ?? "").contains("\"pid\":\(pid)")
        }
        return folders + keyFiles
    }

    /// Starts `cachedemo local ARGS` with stdout and stderr captured.
    func launch(_ args: [String]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Repo.binary)
        p.arguments = ["local"] + args
        let (out, err) = (Pipe(), Pipe())
        (p.standardOutput, p.standardError) = (out, err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    /// Until something of the run exists (it has begun its start-up), at most `timeout`.
    func waitForFirstChild(of pid: Int32, timeout: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        while Self.processes(ofRun: pid).isEmpty && Date() < deadline { usleep(5_000) }
    }

    @Test(arguments: [
        (["--shards", "3", "--replicas", "1"], SIGINT, true, 0.0), (["--shards", "3", "--replicas", "1"], SIGTERM, false, 0.4),
        (["--shards", "3", "--replicas", "1"], SIGINT, true, 1.5), (["--serverless"], SIGTERM, true, 0.0),
        (["--serverless"], SIGHUP, false, 0.3), (["--smoke-test", "--output", "json"], SIGTERM, false, 0.0),
        (["--smoke-test"], SIGINT, true, 0.2), ([], SIGTERM, false, 0.0),
    ] as [([String], Int32, Bool, Double)])
    func aSignalDuringStartUpStopsEverythingAndExits128PlusIt(_ args: [String], _ sig: Int32, _ toGroup: Bool, _ after: Double) throws {
        let (p, out, err) = try launch(args)
        let pid = p.processIdentifier
        waitForFirstChild(of: pid)
        #expect(!Self.processes(ofRun: pid).isEmpty, "the run started nothing to stop")
        if after > 0 { usleep(useconds_t(after * 1_000_000)) }
        // Foundation starts each child in a group of its own: the group is the terminal's Ctrl-C.
        kill(toGroup ? -pid : pid, sig)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 128 + sig, "\(args) \(sig): exit \(p.terminationStatus), \(stderr)")
        #expect(stderr.contains("cachedemo local stopped"), "\(stderr)")
        if args.contains("--smoke-test") && after == 0 {
            #expect(stdout.isEmpty, "a cut-short smoke test reported: \(String(decoding: stdout, as: UTF8.self))")
        }
        // The main thread waited for every child before exiting: nothing of the run is left.
        #expect(Self.processes(ofRun: pid) == [], "\(args) \(sig)")
        #expect(Self.files(ofRun: pid) == [], "\(args) \(sig)")
    }

    /// Killed outright: its servers die with it (a parent-death signal), and the next run
    /// removes the folder (TLS key, tokens) and purge key it could not.
    @Test(arguments: [[], ["--shards", "2"]])
    func killedOutrightItsServersDieAndTheNextRunRemovesItsFiles(_ args: [String]) throws {
        let local = try LocalRun(args)
        let pid = local.process.processIdentifier
        #expect(Self.processes(ofRun: pid).count >= 3)
        kill(pid, SIGKILL)
        local.process.waitUntilExit()
        let deadline = Date().addingTimeInterval(5)
        while !Self.processes(ofRun: pid).isEmpty && Date() < deadline { usleep(20_000) }
        #expect(Self.processes(ofRun: pid) == [], "servers outlived a killed cachedemo local")
        #expect(Self.files(ofRun: pid).count == 2, "expected its folder and its purge key: \(Self.files(ofRun: pid))")
        let next = try cachedemo("local", "--smoke-test")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(Self.files(ofRun: pid) == [], "the next run left the killed run's files")
    }
}

/// Issue 20.9: a smoke test against an upstream that takes the connection and never answers
/// says what it waits for, stops at the first failed check (no 20 timed calls after it),
/// and never counts two errors as one cached body.
@Suite struct SilentUpstreamSmokeTests {
    @Test func aSilentUpstreamIsSaidAndTheRunStopsAtTheFailedMiss() throws {
        // A listener that never accepts: the kernel completes each connection, nothing answers.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let r = try cachedemo("local", "--smoke-test", "--output", "json", "--upstream-url", "http://127.0.0.1:\(port)")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("still waiting for the first call"), "nothing said while waiting: \(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
        let checks = try #require(doc["checks"] as? [[String: Any]])
        #expect(checks.compactMap { $0["name"] as? String } == ["first call is a MISS"], "it went on after the failed miss: \(checks)")
        #expect(checks.first?["passed"] as? Bool == false)
        #expect((checks.first?["detail"] as? String)?.contains("HTTP 504") == true, "\(checks)")
        #expect(doc["hitRequests"] as? Int == 0)
    }

    /// Answers as scripted, in order: a MISS, then an error whose body is the same.
    struct Scripted: HTTPTransport {
        let answers: LockedQueue
        func send(_ request: HTTPRequest) throws -> HTTPResponse { answers.next() }
    }

    final class LockedQueue: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [HTTPResponse]
        init(_ items: [HTTPResponse]) { self.items = items }
        func next() -> HTTPResponse { lock.withLock { items.isEmpty ? HTTPResponse(status: 599) : items.removeFirst() } }
    }

    @Test func twoErrorsWithOneBodyAreNoHit() throws {
        let body = Data(#"{"message":"the upstream API did not answer in time"}"#.utf8)
        let answers = LockedQueue([HTTPResponse(status: 200, headers: [("x-cache", "MISS")], body: body),
                                   HTTPResponse(status: 504, headers: [("x-cache", "MISS")], body: body)])
        var options = SmokeTest.Options(endpoint: URL(string: "http://127.0.0.1:9")!)
        options.hitRequests = 5
        let report = SmokeTest(options: options, transport: Scripted(answers: answers)).run()
        let byName = Dictionary(uniqueKeysWithValues: report.checks.map { ($0.name, $0) })
        #expect(byName["second call is a HIT"]?.passed == false)
        #expect(byName["HIT body equals MISS body"]?.passed == false, "two errors counted as one cached body")
        // The timed calls stop at the first that is no HIT.
        #expect(byName["5 timed calls are HITs"]?.detail == "call 1 of 5 was no HIT; timing stopped there")
    }
}
