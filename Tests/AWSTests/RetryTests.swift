import Foundation
import Testing
import TestSupport

@testable import AWS

/// Retries against a local server that answers faults a set number of times.
@Suite struct RetryTests {
    final class Sleeps: @unchecked Sendable {
        var delays: [TimeInterval] = []
        let lock = NSLock()
        func record(_ d: TimeInterval) { lock.withLock { delays.append(d) } }
    }

    func client(port: String, maxAttempts: Int, sleeps: Sleeps, random: Double = 0.999) -> AWSClient {
        var retry = RetryPolicy(maxAttempts: maxAttempts)
        retry.sleep = { sleeps.record($0) }
        retry.random = { random }
        return AWSClient(region: "us-east-1", credentials: StaticCredentials(AWSCredentials(accessKeyId: "A", secretAccessKey: "B"), source: "t"),
                         endpoints: EndpointResolver(explicit: URL(string: "http://127.0.0.1:\(port)"), environment: [:]),
                         retry: retry)
    }

    func requests(_ port: String) throws -> Int {
        Int(try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/count")!)).text) ?? -1
    }

    @Test(arguments: ["throttle", "503", "drop"])
    func recoversFromTwoFaults(_ fault: String) throws {
        let server = try HelperProcess("python3", [Paths.fakeServers, "faults", fault, fault])
        defer { server.stop() }
        let sleeps = Sleeps()
        let identity = try STS(client: client(port: server.firstLine, maxAttempts: 3, sleeps: sleeps)).getCallerIdentity()
        #expect(identity.account == "111122223333")
        #expect(try requests(server.firstLine) == 3)
        // Full jitter: retry n waits random * min(20, 2^(n-1)) seconds.
        #expect(sleeps.delays.count == 2)
        #expect(sleeps.delays[0] > 0.99 && sleeps.delays[0] < 1.0)
        #expect(sleeps.delays[1] > 1.99 && sleeps.delays[1] < 2.0)
    }

    /// An endpoint that takes the request and never answers: each attempt ends after the stall
    /// bound, and it is tried twice, not three times, with a line saying so.
    @Test func aSilentEndpointIsTriedTwiceAndNamed() throws {
        let server = try HelperProcess("python3", [Paths.fakeServers, "faults", "silent", "silent", "silent"])
        defer { server.stop() }
        let sleeps = Sleeps()
        var retry = RetryPolicy(maxAttempts: 3)
        retry.sleep = { sleeps.record($0) }
        let client = AWSClient(region: "us-east-1", credentials: StaticCredentials(AWSCredentials(accessKeyId: "A", secretAccessKey: "B"), source: "t"),
                               endpoints: EndpointResolver(explicit: URL(string: "http://127.0.0.1:\(server.firstLine)"), environment: [:]),
                               transport: CurlTransport(timeouts: .init(stallSeconds: 1)), retry: retry)
        let notices = Sleeps()
        client.notice = { _ in notices.record(0) }
        let error = #expect(throws: TransportError.self) { try STS(client: client).getCallerIdentity() }
        #expect(error?.description == "no answer from 127.0.0.1 (POST) within 1 s")
        #expect(try requests(server.firstLine) == 2)
        #expect(notices.delays.count == 1)
    }

    @Test func givesUpAfterMaxAttemptsWithTheLastError() throws {
        let server = try HelperProcess("python3", [Paths.fakeServers, "faults", "throttle", "throttle", "throttle", "throttle"])
        defer { server.stop() }
        let sleeps = Sleeps()
        do {
            _ = try STS(client: client(port: server.firstLine, maxAttempts: 3, sleeps: sleeps)).getCallerIdentity()
            Issue.record("succeeded despite throttling")
        } catch let e as AWSError {
            #expect(e.code == "Throttling" && e.isThrottling)
        }
        #expect(try requests(server.firstLine) == 3)
    }

    @Test func doesNotRetryWhatRetryingCannotFix() throws {
        let server = try HelperProcess("python3", [Paths.fakeServers, "faults", "denied"])
        defer { server.stop() }
        let sleeps = Sleeps()
        #expect(throws: AWSError.self) { try STS(client: client(port: server.firstLine, maxAttempts: 5, sleeps: sleeps)).getCallerIdentity() }
        #expect(try requests(server.firstLine) == 1)
        #expect(sleeps.delays.isEmpty)
    }

    @Test func correctsClockSkewFromTheDateHeader() throws {
        let server = try HelperProcess("python3", [Paths.fakeServers, "faults", "skew"])
        defer { server.stop() }
        let sleeps = Sleeps()
        let c = client(port: server.firstLine, maxAttempts: 1, sleeps: sleeps)
        _ = try STS(client: c).getCallerIdentity()
        #expect(c.clockOffset > 100_000_000)  // the server said 2031
        #expect(try requests(server.firstLine) == 2)
    }

    @Test func backoffIsCappedAt20Seconds() {
        var p = RetryPolicy(maxAttempts: 10)
        p.random = { 0.999_999 }
        #expect(p.delay(beforeRetry: 1) < 1)
        #expect(p.delay(beforeRetry: 9) <= 20 && p.delay(beforeRetry: 9) > 19.99)
        p.random = { 0 }
        #expect(p.delay(beforeRetry: 5) == 0)
    }

    @Test func retrySettingsComeFromTheEnvironment() throws {
        #expect(try RetryPolicy.from(environment: ["AWS_MAX_ATTEMPTS": "7"], profile: nil).maxAttempts == 7)
        #expect(try RetryPolicy.from(environment: ["AWS_RETRY_MODE": "legacy"], profile: nil).maxAttempts == 5)
        #expect(try RetryPolicy.from(environment: [:], profile: ["max_attempts": "2"]).maxAttempts == 2)
        #expect(throws: ConfigError.self) { try RetryPolicy.from(environment: ["AWS_MAX_ATTEMPTS": "zero"], profile: nil) }
    }
}
