import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// TLS is always verified; AWS_CA_BUNDLE adds a CA, it never turns checking off.
@Suite struct TLSTests {
    @Test func aPrivateCAIsTrustedOnlyThroughAWS_CA_BUNDLE() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The same throwaway CA and 127.0.0.1 certificate `cachedemo local` makes for its redis-server.
        let certs = try LocalCertificates.make(in: dir, openssl: try #require(findExecutable("openssl")))
        let server = try HelperProcess("python3", [Paths.fakeServers, "tls", certs.cert, certs.key])
        defer { server.stop() }
        func session(_ env: [String: String]) throws -> AWSSession {
            var o = AWSSession.Options(environment: ["HOME": dir.path, "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B",
                                                     "AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1",
                                                     "AWS_ENDPOINT_URL": "https://127.0.0.1:\(server.firstLine)"].merging(env) { $1 })
            o.region = nil
            return try AWSSession.make(o)
        }
        do {
            _ = try STS(client: session([:]).client).getCallerIdentity()
            Issue.record("an unknown CA was trusted")
        } catch let e as TransportError {
            #expect(e.message.lowercased().contains("certificate") || e.message.contains("SSL"), "\(e)")
        }
        let trusted = try session(["AWS_CA_BUNDLE": certs.ca])
        #expect(try STS(client: trusted.client).getCallerIdentity().account == "111122223333")
    }
}
