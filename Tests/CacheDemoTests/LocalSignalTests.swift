import Foundation
import Testing
import TestSupport

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
