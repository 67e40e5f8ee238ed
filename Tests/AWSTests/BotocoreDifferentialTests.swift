import Foundation
import Testing
import TestSupport

@testable import AWS

/// A small seeded generator, so a failing case can be reproduced from its index.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A generated request, in the form both signers take.
struct GeneratedRequest: Codable {
    var method: String
    var url: String
    var service: String
    var region: String
    var headers: [[String]]
    var body: String
    var accessKey: String
    var secretKey: String
    var token: String?
    var unsignedPayload: Bool

    var fullDescription: String {
        let hs = headers.map { "  \($0[0]): \($0[1].debugDescription)" }.joined(separator: "\n")
        return "\(method) \(url)\nservice \(service) region \(region) token \(token != nil) unsigned \(unsignedPayload)\n\(hs)\nbody (base64) \(body)"
    }
}

enum RequestGenerator {
    static let pathChars: [String] = ["a", "Z", "0", "-", "_", ".", "~", " ", "+", "$", "&", "=", ":", "@", "!", ",", ";",
                                      "*", "(", ")", "'", "%", "é", "ሴ", "中", "😀", "ü", "/", "?", "#", "[", "]"]
    static let segments = [".", "..", "", "key with spaces", "$default", "a+b", "file.txt", "über", "%41"]
    static let headerNames = ["X-Amz-Meta-Name", "Content-Type", "x-custom", "My-Header", "X-Amz-Target", "Accept",
                              "content-md5", "X-Amz-Meta-Empty", "User-Agent", "Expect"]
    static let headerValues = ["value", "  padded  ", "a   b\tc", "\tlead", "x, y", "\"quoted   text\"", "ünïcödé", "",
                               "application/x-amz-json-1.1", "a  \t  b  "]

    static func encode(_ s: String) -> String { URIEncoding.encode(s) }

    static func make(_ i: Int) -> GeneratedRequest {
        var rng = SplitMix64(state: UInt64(i) &* 7919 &+ 17)
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
        func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
        func word(_ pool: [String], max: Int) -> String {
            (0..<Int(rng.next() % UInt64(max) + 1)).map { _ in pick(pool) }.joined()
        }
        let service = pick(["s3", "s3", "cloudformation", "sts", "execute-api", "lambda", "apigateway"])
        let method = pick(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
        var path = ""
        for _ in 0..<Int(rng.next() % 5) {
            path += "/" + (chance(30) ? encode(pick(segments)).replacingOccurrences(of: "%2E", with: ".")
                                      : encode(word(pathChars, max: 6)))
        }
        if path.isEmpty || chance(20) { path += "/" }
        var query: [String] = []
        for _ in 0..<Int(rng.next() % 6) {
            let key = chance(30) && !query.isEmpty ? String(query.last!.prefix { $0 != "=" }) : encode(word(pathChars, max: 5))
            if chance(15) { query.append(key) } else { query.append("\(key)=\(chance(20) ? "" : encode(word(pathChars, max: 8)))") }
        }
        let host = pick(["http://example.amazonaws.com", "http://127.0.0.1:4566", "https://s3.eu-west-1.amazonaws.com:443"])
        let url = host + path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        var headers: [[String]] = []
        if chance(70) { headers.append(["Host", URL(string: host)!.host! + (host.hasSuffix(":4566") ? ":4566" : "")]) }
        for _ in 0..<6 {
            let name = chance(25) && !headers.isEmpty ? headers.last![0] : pick(headerNames)
            headers.append([chance(20) ? name.uppercased() : name, pick(headerValues)])
        }
        var body: [UInt8] = []
        if ["POST", "PUT", "PATCH"].contains(method) && chance(80) {
            body = (0..<Int(rng.next() % 2048)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        let unsigned = host.hasPrefix("https") && service != "s3" && chance(40)
        return GeneratedRequest(method: method, url: url, service: service,
                                region: pick(["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"]),
                                headers: headers, body: Data(body).base64EncodedString(),
                                accessKey: "AKIDEXAMPLE\(i % 7)", secretKey: "secret/\(i % 5)+key",
                                token: chance(30) ? "token//\(i)+=" : nil, unsignedPayload: unsigned)
    }
}

@Suite struct BotocoreDifferentialTests {
    @Test func thousandsOfGeneratedRequestsSignLikeBotocore() throws {
        let count = 1_500
        let cases = (0..<count).map(RequestGenerator.make)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("requests.json")
        try JSONEncoder().encode(cases).write(to: input)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/botocore_sign.py")
        let output = dir.appendingPathComponent("botocore.json")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script.path, input.path]
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: output)
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "botocore could not sign the requests")
        let expected = try JSONDecoder().decode([[String: String]].self, from: Data(contentsOf: output))
        try #require(expected.count == count)

        let date = Date(timeIntervalSince1970: 1_795_771_815)  // 2026-11-27T09:30:15Z, as in the script
        var mismatches = 0
        for (i, c) in cases.enumerated() {
            let url = URL(string: c.url)!
            let isS3 = c.service == "s3"
            var signer = SigV4(credentials: AWSCredentials(accessKeyId: c.accessKey, secretAccessKey: c.secretKey,
                                                           sessionToken: c.token),
                               region: c.region, service: c.service, pathRules: isS3 ? .s3 : .standard,
                               signsContentHash: isS3 || c.unsignedPayload)
            signer.signsSessionToken = true
            let body = [UInt8](Data(base64Encoded: c.body)!)
            let request = HTTPRequest(method: c.method, url: url, headers: c.headers.map { ($0[0], $0[1]) })
            let (_, signed) = signer.sign(request, payload: c.unsignedPayload ? .unsigned : .body(body), at: date)
            let auth = signed.request.headers.first { $0.name == "Authorization" }?.value
            if signed.canonicalRequest != expected[i]["canonical"] || auth != expected[i]["authorization"] {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("""
                        request \(i) signs differently from botocore:
                        \(c.fullDescription)
                        --- ours
                        \(signed.canonicalRequest)
                        --- botocore
                        \(expected[i]["canonical"] ?? "")
                        """)
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(count) requests differ")
    }
}
