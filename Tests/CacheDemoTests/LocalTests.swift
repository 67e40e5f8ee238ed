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
/// A running `cachedemo local --output json`, with the JSON it printed once ready.
struct LocalRun {
    let process: Process
    let doc: [String: Any]

    init(_ extra: [String] = []) throws {
        let started = try start(Repo.binary, ["local", "--output", "json"] + extra, until: "\n}")
        process = started.process
        doc = try #require(try JSONSerialization.jsonObject(with: Data(started.text.utf8)) as? [String: Any],
                           "local printed: \(started.text)")
    }

    /// SIGTERM, as a service manager stops it (or another signal); returns its exit status.
    @discardableResult
    func stop(_ sig: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, sig)
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite(.serialized) struct LocalTests {
    @Test func servesMissThenHitAndLeavesNoProcessBehind() throws {
        let local = try LocalRun()
        let doc = local.doc
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
        // The redis it started is reached over TLS, on loopback.
        #expect((doc["redis"] as? String)?.hasPrefix("rediss://127.0.0.1:") == true)

        #expect(local.stop() == 128 + SIGTERM)
        for (name, pid) in pids {
            #expect(kill(pid_t(pid), 0) != 0, "\(name) (pid \(pid)) is still running")
        }
        #expect(!FileManager.default.fileExists(atPath: doc["stateDirectory"] as? String ?? "/"), "state left behind")
    }

    /// The front answers as the deployed HTTP API does: HEAD is routed, other methods get API
    /// Gateway's 404 without the function, and the stage's token bucket answers 429 past the burst.
    @Test func routesAndTheThrottleAreTheStacks() throws {
        let local = try LocalRun(["--throttle-rate", "0.01", "--throttle-burst", "3"])
        defer { local.stop() }
        let endpoint = try #require(local.doc["endpoint"] as? String)
        let http = CurlTransport()
        let url = URL(string: "\(endpoint)/?name=throttle-\(UUID().uuidString)")!
        let head = try http.send(HTTPRequest(method: "HEAD", url: url))
        #expect(head.status == 200 && head.header("x-cache") == "MISS")
        let post = try http.send(HTTPRequest(method: "POST", url: url, body: .data(Data("x".utf8))))
        #expect(post.status == 404 && post.text == #"{"message":"Not Found"}"#)
        let statuses = try (0..<4).map { _ in try http.send(HTTPRequest(method: "GET", url: url)).status }
        #expect(statuses == [200, 200, 429, 429])  // 3 tokens: HEAD and two GETs; POST matched no route
        let limited = try http.send(HTTPRequest(method: "GET", url: url))
        #expect(limited.text == #"{"message":"Too Many Requests"}"#)
    }

    /// A gateway's own answer (429 past the throttle) is no proof that errors are not cached.
    @Test func aThrottledErrorPathDoesNotPassTheCachingCheck() throws {
        let local = try LocalRun(["--throttle-rate", "0.01", "--throttle-burst", "2"])
        defer { local.stop() }
        let endpoint = try #require(local.doc["endpoint"] as? String)
        let r = try cachedemo("smoke-test", "--endpoint", endpoint, "--error-path", "/missing", "--output", "json")
        #expect(r.status == 1)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let check = (doc["checks"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "upstream error is not cached" }
        #expect(check?["passed"] as? Bool == false)
        #expect((check?["detail"] as? String)?.contains("answered by the gateway") == true, "\(String(describing: check))")
    }

    /// IAM auth on this machine: the function signs tokens, a proxy checks them before redis-server.
    @Test func iamAuthRunsEndToEnd() throws {
        let r = try cachedemo("local", "--cache-auth", "iam", "--smoke-test", "--output", "json")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["passed"] as? Bool == true && doc["instanceCopy"] as? String == "on")
        let local = try LocalRun(["--cache-auth", "iam"])
        defer { local.stop() }
        #expect((local.doc["pids"] as? [String: Int])?.keys.contains("iam-proxy") == true)
    }

    /// smoke-test says what the function found about its instance copy.
    @Test func smokeTestReportsTheInstanceCopy() throws {
        let local = try LocalRun()
        defer { local.stop() }
        let endpoint = try #require(local.doc["endpoint"] as? String)
        let r = try cachedemo("smoke-test", "--endpoint", endpoint, "--output", "json")
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["instanceCopy"] as? String == "on")
        #expect((doc["instanceCopyHits"] as? Int ?? 0) > 0)
        let text = try cachedemo("smoke-test", "--endpoint", endpoint)
        #expect(text.stdout.contains("instance copy: on ("))
        // Without the request header an API user sees none of it.
        let plain = try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: "\(endpoint)/?name=plain")!))
        #expect(plain.header("x-cache-instance-copy") == nil && plain.header("x-cache-from") == nil)
    }

    /// A server that refuses CLIENT (as ElastiCache has been seen to refuse CLIENT TRACKING)
    /// keeps serving hits, each a round trip, and smoke-test names why the copy is off.
    @Test func smokeTestReportsAnInstanceCopyTheServerRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wrapper = dir.appendingPathComponent("redis-server-without-client")
        let real = try #require(findExecutable("redis-server"))
        try Data("#!/bin/sh\nexec \(real) \"$@\" --rename-command CLIENT \"\"\n".utf8).write(to: wrapper)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let local = try LocalRun(["--redis-server", wrapper.path])
        defer { local.stop() }
        let endpoint = try #require(local.doc["endpoint"] as? String)
        let r = try cachedemo("smoke-test", "--endpoint", endpoint, "--output", "json")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")  // every check passes: hits come from redis
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let said = try #require(doc["instanceCopy"] as? String)
        #expect(said.hasPrefix("off; CLIENT TRACKING refused:"), "\(said)")
        #expect(doc["instanceCopyHits"] as? Int == 0)
        let text = try cachedemo("smoke-test", "--endpoint", endpoint)
        #expect(text.stdout.contains("instance copy: off (CLIENT TRACKING refused:"), "\(text.stdout)")
    }

    /// Closing the terminal (SIGHUP) and Ctrl-C stop it as cleanly as SIGTERM: no child, no
    /// key file, no temporary folder with the CA key and the token left behind.
    @Test(arguments: [SIGHUP, SIGINT])
    func hangupAndInterruptLeaveNothingBehind(_ sig: Int32) throws {
        let local = try LocalRun()
        let pids = try #require(local.doc["pids"] as? [String: Int])
        let purgeFile = try #require(local.doc["purgeCredentialsFile"] as? String)
        #expect(FileManager.default.fileExists(atPath: purgeFile))
        #expect(local.stop(sig) == 128 + sig)
        for (name, pid) in pids { #expect(kill(pid_t(pid), 0) != 0, "\(name) (pid \(pid)) is still running") }
        #expect(!FileManager.default.fileExists(atPath: local.doc["stateDirectory"] as? String ?? "/"), "state left behind")
        #expect(!FileManager.default.fileExists(atPath: purgeFile), "purge key left behind")
        // The purge key lives in this user's own 0700 folder, whatever TMPDIR says.
        var info = stat()
        #expect(stat(URL(fileURLWithPath: purgeFile).deletingLastPathComponent().path, &info) == 0)
        #expect(info.st_uid == getuid() && info.st_mode & 0o777 == 0o700)
    }

    /// `local --shards 3 --replicas 1`: a real cluster (6 TLS nodes, AUTH on each), the function
    /// in cluster mode against it, keys on every primary; and on stop, no node left.
    @Test func aLocalClusterServesAndStopsEveryNode() throws {
        let local = try LocalRun(["--shards", "3", "--replicas", "1"])
        let endpoint = try #require(local.doc["endpoint"] as? String)
        let ports = try #require(local.doc["clusterPorts"] as? [Int])
        #expect(ports.count == 6)
        let http = CurlTransport()
        for i in 0..<12 {
            let url = URL(string: "\(endpoint)/?name=shard-\(i)-\(UUID().uuidString.prefix(4))")!
            #expect(try http.send(HTTPRequest(method: "GET", url: url)).header("x-cache") == "MISS")
            #expect(try http.send(HTTPRequest(method: "GET", url: url)).header("x-cache") == "HIT")
        }
        // Keys landed on all three primaries (each node's own count, asked with redis-cli over TLS).
        let state = try #require(local.doc["stateDirectory"] as? String)
        var primariesWithKeys = 0
        for port in ports {
            let r = try run("/usr/bin/env", ["redis-cli", "--tls", "--cacert", "\(state)/ca.pem", "-p", String(port), "--no-auth-warning",
                                             "-a", try localToken(state), "INFO", "keyspace"])
            let role = try run("/usr/bin/env", ["redis-cli", "--tls", "--cacert", "\(state)/ca.pem", "-p", String(port), "--no-auth-warning",
                                                "-a", try localToken(state), "ROLE"])
            if role.stdout.hasPrefix("master"), r.stdout.contains("keys=") { primariesWithKeys += 1 }
        }
        #expect(primariesWithKeys == 3)
        #expect(local.stop() == 128 + SIGTERM)
        for port in ports { #expect(!Loopback.isListening(port: port), "node \(port) still listens") }
    }

    /// The password the local cluster's nodes were given (in their 0600 config files).
    func localToken(_ state: String) throws -> String {
        let dir = "\(state)/cluster"
        let conf = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".conf") && $0.hasPrefix("redis-") })
        let text = try String(contentsOfFile: "\(dir)/\(conf)", encoding: .utf8)
        return try #require(text.split(separator: "\n").first { $0.hasPrefix("requirepass ") }?.split(separator: " ").last.map(String.init))
    }

    @Test func serverlessStandInPassesTheSmokeTest() throws {
        let r = try cachedemo("local", "--serverless", "--smoke-test", "--output", "json")
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["passed"] as? Bool == true)
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
        #expect(r.stderr.contains("--redis-server /nonexistent/redis-server does not exist"))
        // A path that is there but is no program is named as such, not as "not installed".
        let notAProgram = try cachedemo("local", "--redis-server", "/etc/passwd")
        #expect(notAProgram.status == 1 && notAProgram.stderr.contains("/etc/passwd is not an executable file"))
        let n = try cachedemo("local", "--node", "/nonexistent/node")
        #expect(n.status == 1 && n.stderr.contains("--node /nonexistent/node does not exist"))
        let missing = try cachedemo(["local"], environment: ["PATH": "/nonexistent"])
        #expect(missing.status == 1 && missing.stderr.contains("node is not installed"))
    }

    @Test func badCachingFlagsAreOneLineAndExit64() throws {
        for (flag, mention) in [("--cache-ttl=-1", "--cache-ttl"), ("--instance-cache-mb=-1", "--instance-cache-mb")] {
            let r = try cachedemo("local", flag)
            #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(mention), "\(r.stderr)")
        }
    }

    @Test func smokeTestFailsAgainstSomethingThatDoesNotCacheAndWritesJUnit() throws {
        let local = try LocalRun()
        defer { local.stop() }
        let doc = local.doc
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
        #expect(!goodXML.contains("<failure") && goodXML.contains("tests=\"7\""), "\(goodXML)")
        // Issue 22: the demo upstream's ETag and Last-Modified come back on the HIT, and its
        // ETag makes a conditional request a 304 from the cache.
        #expect(goodXML.contains("the upstream&apos;s headers survive a HIT") || goodXML.contains("the upstream's headers survive a HIT"))
        #expect(goodXML.contains("If-None-Match is answered 304"), "\(goodXML)")
    }

    @Test func smokeTestRejectsABadEndpoint() throws {
        let r = try cachedemo("smoke-test", "--endpoint", "not a url")
        #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1)
        let unreachable = try cachedemo("smoke-test", "--endpoint", "http://127.0.0.1:9")
        #expect(unreachable.status == 1 && unreachable.stderr.contains("first call is a MISS"))
    }
}

/// Purging on `cachedemo local`: the real signed flow, and refusals that purge nothing.
@Suite(.serialized) struct LocalInvalidateTests {
    func get(_ url: String) throws -> HTTPResponse { try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: url)!)) }

    @Test func missHitInvalidateMissAndRefusals() throws {
        let local = try LocalRun()
        defer { local.stop() }
        let doc = local.doc
        let endpoint = try #require(doc["endpoint"] as? String)
        let credentialsFile = try #require(doc["purgeCredentialsFile"] as? String)
        let path = "/people?b=2&a=\(UUID().uuidString.prefix(6))"
        #expect(try get(endpoint + path).header("x-cache") == "MISS")
        #expect(try get(endpoint + path).header("x-cache") == "HIT")

        // Unsigned, and signed with the wrong secret: 403, and the entry stays.
        let unsigned = try CurlTransport().send(HTTPRequest(method: "DELETE", url: URL(string: endpoint + path)!))
        #expect(unsigned.status == 403)
        let realKey = try JSONDecoder().decode(LocalPurgeCredentials.self, from: Data(contentsOf: URL(fileURLWithPath: credentialsFile)))
        let forged = Invalidator(endpoint: URL(string: endpoint)!,
                                 credentials: AWSCredentials(accessKeyId: realKey.accessKeyId, secretAccessKey: "not-the-secret"),
                                 region: realKey.region).purge(paths: [path], mode: .key)
        #expect(forged.first?.status == 403)
        #expect(try get(endpoint + path).header("x-cache") == "HIT")

        // The CLI, with the query in another order: purged, and the next GET misses.
        let reordered = path.replacingOccurrences(of: "b=2&a=", with: "a=") + "&b=2"
        let r = try cachedemo("invalidate", "--endpoint", endpoint, reordered, "--output", "json")
        #expect(r.status == 0, "\(r.stderr)")
        let result = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]])
        #expect(result.first?["removed"] as? Int == 1)
        #expect(try get(endpoint + path).header("x-cache") == "MISS")

        // An upstream's own `?all=true` is one entry, never the whole cache (issue 20).
        _ = try get(endpoint + "/search?all=true")
        #expect(try get(endpoint + "/shelf/0").header("x-cache") == "MISS")
        let one = try cachedemo("invalidate", "--endpoint", endpoint, "/search?all=true")
        #expect(one.status == 0 && one.stdout.contains("removed 1 entry"), "\(one.stdout)\(one.stderr)")
        #expect(try get(endpoint + "/shelf/0").header("x-cache") == "HIT")
        #expect(try get(endpoint + "/search?all=true").header("x-cache") == "MISS")

        // A prefix and the whole namespace.
        _ = try get(endpoint + "/shelf/1")
        _ = try get(endpoint + "/shelf/2")
        let prefix = try cachedemo("invalidate", "--endpoint", endpoint, "--prefix", "/shelf")
        #expect(prefix.status == 0 && prefix.stdout.contains("removed 3 entries"), "\(prefix.stdout)\(prefix.stderr)")
        let everything = try cachedemo("invalidate", "--endpoint", endpoint, "--all")
        #expect(everything.status == 0 && everything.stdout.contains("namespace dropped"))
        #expect(try get(endpoint + path).header("x-cache") == "MISS")
    }

    @Test func badInvocationsAreUsageErrors() throws {
        for args in [["invalidate"], ["invalidate", "--all", "/x", "--endpoint", "http://127.0.0.1:9"],
                     ["invalidate", "no-slash", "--endpoint", "http://127.0.0.1:9"], ["invalidate", "/x"]] {
            let r = try run(Repo.binary, args)
            #expect(r.status == 64, "\(args): \(r.stderr)")
        }
    }
}
