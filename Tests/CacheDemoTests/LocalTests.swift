import AWS
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

@testable import CacheDemo

#if canImport(Glibc)
import Glibc
#endif

/// `cachedemo local` as a user runs it: the binary, real redis-server and Node, HTTP calls.
@Suite(.serialized) struct LocalTests {
    /// Starts `cachedemo local --output json` and reads the JSON it prints once ready.
    func startLocal(_ extra: [String] = []) throws -> (Process, [String: Any]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Repo.binary)
        p.arguments = ["local", "--output", "json"] + extra
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var text = ""
        while !text.contains("\n}") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "local printed: \(text)")
        return (p, doc)
    }

    @Test func servesMissThenHitAndLeavesNoProcessBehind() throws {
        let (process, doc) = try startLocal()
        let endpoint = try #require(doc["endpoint"] as? String)
        let pids = try #require(doc["pids"] as? [String: Int])
        #expect(Set(pids.keys) == ["redis-server", "demo-upstream", "api-front"])
        let http = CurlTransport()
        let url = URL(string: "\(endpoint)/?name=local-test-\(UUID().uuidString)")!
        let first = try http.send(HTTPRequest(method: "GET", url: url))
        let second = try http.send(HTTPRequest(method: "GET", url: url))
        #expect(first.status == 200 && first.header("x-cache") == "MISS")
        #expect(second.status == 200 && second.header("x-cache") == "HIT")
        #expect(first.body == second.body)
        #expect(second.header("apigw-requestid") != nil)
        let missing = try http.send(HTTPRequest(method: "GET", url: URL(string: "\(endpoint)/missing")!))
        #expect(missing.status == 404)
        // The redis it started speaks TLS only and wants the token: a plain connection gets nothing.
        #expect((doc["redis"] as? String)?.hasPrefix("rediss://127.0.0.1:") == true)

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        for (name, pid) in pids {
            #expect(kill(pid_t(pid), 0) != 0, "\(name) (pid \(pid)) is still running")
        }
        #expect(!FileManager.default.fileExists(atPath: doc["stateDirectory"] as? String ?? "/"), "state left behind")
    }

    @Test func smokeTestModeRunsTheChecksAndExitsWithTheirResult() throws {
        let r = try cachedemo("local", "--smoke-test", "--output", "json")
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["passed"] as? Bool == true)
        let names = (doc["checks"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("upstream error is not cached"))
        #expect((doc["hitP50Ms"] as? Double ?? 0) > 0)
    }

    @Test func aMissingRedisServerIsOneLineAndExitCode1() throws {
        let r = try cachedemo("local", "--redis-server", "/nonexistent/redis-server")
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stderr.contains("redis-server is not installed"))
        let n = try cachedemo("local", "--node", "/nonexistent/node")
        #expect(n.status == 1 && n.stderr.contains("node is not installed"))
    }

    @Test func smokeTestFailsAgainstSomethingThatDoesNotCacheAndWritesJUnit() throws {
        let (process, doc) = try startLocal()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let upstream = try #require(doc["upstream"] as? String)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junit = dir.appendingPathComponent("report.xml").path
        // The upstream itself answers, but sets no x-cache header: not a cache.
        let r = try cachedemo("smoke-test", "--endpoint", upstream, "--requests", "3", "--junit-xml", junit)
        #expect(r.status == 1)
        #expect(r.stderr.contains("first call is a MISS"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<failure"))
        #expect(XMLParser(data: Data(xml.utf8)).parse())

        let good = try cachedemo("smoke-test", "--endpoint", try #require(doc["endpoint"] as? String),
                                 "--error-path", "/missing", "--junit-xml", junit)
        #expect(good.status == 0, "\(good.stderr)")
        let goodXML = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(!goodXML.contains("<failure") && goodXML.contains("tests=\"5\""))
    }

    @Test func smokeTestRejectsABadEndpoint() throws {
        let r = try cachedemo("smoke-test", "--endpoint", "not a url")
        #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1)
        let unreachable = try cachedemo("smoke-test", "--endpoint", "http://127.0.0.1:9")
        #expect(unreachable.status == 1 && unreachable.stderr.contains("first call is a MISS"))
    }
}
