import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

#if canImport(Glibc)
import Glibc
#endif

/// The demo upstream (answers in ~100 ms; /missing is a 404) on a loopback port, for stacks
/// the emulator serves: the one thing of the README's pipeline that is not the emulator's.
final class DemoUpstream {
    let process = Process()
    private let stdin = Pipe()
    let url: String

    /// On 127.0.0.1, or on ::1 for a stack that leaves over IPv6.
    /// `apiKey`: it answers 401 unless a request carries that key in `x-api-key`.
    init(ipv6: Bool = false, apiKey: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", Repo.root.appendingPathComponent("lambda/local/demo-upstream.mjs").path]
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "PORT": "0",
                               "HOST": ipv6 ? "::1" : "127.0.0.1"].merging(apiKey.map { ["API_KEY": $0] } ?? [:]) { a, _ in a }
        let out = Pipe()
        process.standardInput = stdin  // it stops when this closes
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let doc = try JSONSerialization.jsonObject(with: Data(line.split(separator: "\n").first.map { Data($0.utf8) } ?? Data()))
        let port = try #require((doc as? [String: Any])?["port"] as? Int)
        url = ipv6 ? "http://[::1]:\(port)" : "http://127.0.0.1:\(port)"
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// The README's CI pipeline, verbatim but for the emulator's environment and a local upstream,
/// on one machine: the emulator serves the stack it deploys (a real TLS + AUTH redis-server,
/// the deployed zip under Node behind the API's routes), so the pieces the template wires
/// together are checked working together.
@Suite(.serialized) struct EmulatorPipelineTests {
    let emulator = Emulator.shared

    func run(_ args: [String]) throws -> ProcessResult { try cachedemo(args, environment: emulator.environment) }
    func get(_ url: String, method: String = "GET") throws -> HTTPResponse {
        try CurlTransport().send(HTTPRequest(method: method, url: URL(string: url)!))
    }
    func listening(_ port: Int) -> Bool { Loopback.isListening(port: port) }

    /// Single-AZ and Multi-AZ with IAM auth, the default (the function signs its token with the
    /// role credentials the emulator hands it; redis-server admits the user group's IAM user by
    /// name, as it cannot check a SigV4 signature), and with an AUTH token.
    /// And the cheaper egress modes: a NAT instance, and IPv6 out (the upstream on ::1, so
    /// deploy's IPv6 check passes for real and the function reaches it over IPv6).
    /// And the shapes past one primary: a 3-shard cluster (served as one cluster node holding
    /// every slot: the function speaks the cluster protocol to it) and a serverless cache.
    @Test(arguments: [[], ["--multi-az"], ["--cache-auth", "token"], ["--egress", "nat-instance"],
                      ["--multi-az", "--egress", "ipv6"], ["--shards", "3", "--multi-az"], ["--serverless", "--engine", "valkey"],
                      ["--serverless", "--cache-auth", "token"]])
    func deploySmokeTestInvalidateSmokeTestDestroy(_ az: [String]) throws {
        let upstream = try DemoUpstream(ipv6: az.contains("ipv6"))
        defer { upstream.stop() }
        let stack = "ci-\(az.first?.replacingOccurrences(of: "--", with: "") ?? "single")-\(UUID().uuidString.prefix(6).lowercased())"

        // deploy --multi-az --yes
        let deployed = try run(["deploy", "--stack-name", stack, "--yes", "--upstream-url", upstream.url, "--output", "json"] + az)
        #expect(deployed.status == 0, "\(deployed.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(deployed.stdout.utf8)) as? [String: Any])
        let outputs = try #require(doc["outputs"] as? [String: String])
        let endpoint = try #require(outputs["ApiEndpoint"])
        #expect(endpoint.hasPrefix("http://127.0.0.1:"))
        let cachePort = try #require(outputs["CacheEndpoint"].flatMap { Int($0.split(separator: ":").last ?? "") })
        #expect(listening(cachePort))

        // smoke-test --stack-name: miss, hit, same body, the error not cached, the instance copy on.
        let smoke = try run(["smoke-test", "--stack-name", stack, "--error-path", "/missing"])
        #expect(smoke.status == 0, "\(smoke.stdout)\(smoke.stderr)")
        // Serverless has no CLIENT TRACKING (so no instance copy); the others have one.
        #expect(smoke.stdout.contains(az.contains("--serverless") ? "instance copy: off (ElastiCache Serverless has no CLIENT TRACKING"
                                                                   : "instance copy: on ("), "\(smoke.stdout)")

        // invalidate --stack-name: a signed purge (the route is AWS_IAM), then the next call misses.
        let path = "/people?name=ada-\(UUID().uuidString.prefix(4))"
        #expect(try get(endpoint + path).header("x-cache") == "MISS")
        #expect(try get(endpoint + path).header("x-cache") == "HIT")
        let purge = try run(["invalidate", "--stack-name", stack, path])
        #expect(purge.status == 0, "\(purge.stdout)\(purge.stderr)")
        #expect(purge.stdout.contains("ok    \(path)  removed 1 entry"))
        #expect(try get(endpoint + path).header("x-cache") == "MISS")
        // Unsigned, a purge is refused; a method with no route gets API Gateway's 404.
        #expect(try get(endpoint + path, method: "DELETE").status == 403)
        let post = try get(endpoint + path, method: "POST")
        #expect(post.status == 404 && post.text == #"{"message":"Not Found"}"#)

        // smoke-test again.
        #expect(try run(["smoke-test", "--stack-name", stack]).status == 0)

        // An update of the TTL is served by the new configuration, nothing restarted by hand.
        let updated = try run(["deploy", "--stack-name", stack, "--yes", "--upstream-url", upstream.url, "--cache-ttl", "1"] + az)
        #expect(updated.status == 0, "\(updated.stderr)")
        let short = "/people?name=short-\(UUID().uuidString.prefix(4))"
        #expect(try get(endpoint + short).header("x-cache") == "MISS")
        #expect(try get(endpoint + short).header("x-cache") == "HIT")
        Thread.sleep(forTimeInterval: 1.5)
        // Stale after a second; the demo upstream's ETag makes that a 304 from it, not a download.
        #expect(try get(endpoint + short).header("x-cache") == "REVALIDATED", "an entry outlived --cache-ttl 1")

        // destroy --yes: nothing billable left, and nothing the emulator started either.
        let apiId = try #require(outputs["ApiId"])
        let destroyed = try run(["destroy", "--stack-name", stack, "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(destroyed.stdout.contains("nothing billable left") || destroyed.stderr.contains("nothing billable left"))
        let apiPort = try #require(Int(endpoint.split(separator: ":").last ?? ""))
        #expect(!listening(apiPort) && !listening(cachePort))
        // The function runs from a folder named for its API; redis-server names itself by its port.
        for marker in ["api-\(apiId)-", "redis-server 127.0.0.1:\(cachePort)"] {
            let left = try runTool("pgrep", ["-f", marker])
            #expect(left.stdout.isEmpty, "still running for \(marker): \(left.stdout)")
        }
    }
}
