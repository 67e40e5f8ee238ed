import Foundation
import Testing
import TestSupport

@testable import AWS

/// One case of the public AWS SigV4 test suite (Fixtures/sigv4-suite, Apache-2.0).
struct SuiteCase: CustomTestStringConvertible, Sendable {
    let name: String
    let dir: URL
    var testDescription: String { name }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigv4-suite")

    static var all: [SuiteCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !$0.contains(".") && $0 != "LICENSE" && $0 != "NOTICE" }.sorted()
            .map { SuiteCase(name: $0, dir: root.appendingPathComponent($0)) }
    }

    func file(_ name: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    var context: [String: Any] {
        get throws { try JSONSerialization.jsonObject(with: Data(file("context.json").utf8)) as! [String: Any] }
    }

    /// Reads request.txt tolerantly: a space may sit inside the path, a header may be folded.
    func request() throws -> (SigV4.Request, [UInt8]) {
        let text = try file("request.txt")
        let parts = text.components(separatedBy: "\n\n")
        var lines = parts[0].components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = requestLine.dropFirst(method.count + 1).components(separatedBy: " HTTP/")[0]
        let (path, query) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) }
            ?? (target, "")
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let body = parts.count > 1 ? Array(parts[1...].joined(separator: "\n\n").utf8) : []
        return (SigV4.Request(method: method, path: path, query: query, headers: headers), body)
    }

    func signer() throws -> (SigV4, Date) {
        let ctx = try context
        let creds = ctx["credentials"] as! [String: String]
        var s = SigV4(credentials: AWSCredentials(accessKeyId: creds["access_key_id"]!,
                                                  secretAccessKey: creds["secret_access_key"]!,
                                                  sessionToken: creds["token"]),
                      region: ctx["region"] as! String, service: ctx["service"] as! String,
                      pathRules: (ctx["normalize"] as? Bool ?? true) ? .standard : .s3,
                      signsContentHash: ctx["sign_body"] as? Bool ?? false, keyCache: SigningKeyCache())
        s.signsSessionToken = !(ctx["omit_session_token"] as? Bool ?? false)
        let date = ISO8601DateFormatter().date(from: ctx["timestamp"] as! String)!
        return (s, date)
    }
}

@Suite struct SigV4SuiteTests {
    @Test func theSuiteIsComplete() {
        #expect(SuiteCase.all.count == 38)
    }

    @Test(arguments: SuiteCase.all)
    func headerForm(_ c: SuiteCase) throws {
        let (signer, date) = try c.signer()
        let (request, body) = try c.request()
        let signed = signer.sign(request, payload: .body(body), at: date)
        #expect(signed.canonicalRequest == (try c.file("header-canonical-request.txt")), "canonical request")
        #expect(signed.stringToSign == (try c.file("header-string-to-sign.txt")), "string to sign")
        #expect(signed.signature == (try c.file("header-signature.txt")), "signature")
        let expectedAuth = try c.file("header-signed-request.txt").components(separatedBy: "\n")
            .first { $0.hasPrefix("Authorization:") }
        let auth = signed.request.headers.first { $0.name == "Authorization" }?.value
        #expect("Authorization:\(auth ?? "")" == expectedAuth, "Authorization header")
    }

    @Test(arguments: SuiteCase.all)
    func queryForm(_ c: SuiteCase) throws {
        let (signer, date) = try c.signer()
        let (request, body) = try c.request()
        let expires = try c.context["expiration_in_seconds"] as? Int ?? 3600
        let signed = signer.presign(request, payload: .body(body), expires: expires, at: date)
        #expect(signed.canonicalRequest == (try c.file("query-canonical-request.txt")), "canonical request")
        #expect(signed.stringToSign == (try c.file("query-string-to-sign.txt")), "string to sign")
        #expect(signed.signature == (try c.file("query-signature.txt")), "signature")
    }
}
