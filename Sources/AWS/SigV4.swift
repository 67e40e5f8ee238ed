import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// AWS Signature Version 4, in the spec's stages: canonical request, string to sign,
/// signature. `sign` and `presign` put them together for the header and query forms.
public struct SigV4: Sendable {
    /// How the path enters the canonical request.
    public enum PathRules: Sendable {
        /// Every service but S3: dot segments and repeated slashes removed, then encoded
        /// again (so an escape in the request path appears encoded twice).
        case standard
        /// S3: the path as sent, no normalization, encoded once.
        case s3
    }

    /// What stands for the body in the canonical request.
    public enum Payload: Sendable {
        case body([UInt8])
        /// A hash computed elsewhere (a streamed file), lower-case hex.
        case precomputed(String)
        /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
        case unsigned

        public static let empty = Payload.precomputed(emptyHash)

        var hash: String {
            switch self {
            case .body(let b): return b.isEmpty ? SigV4.emptyHash : Crypto.sha256(b).hex
            case .precomputed(let h): return h
            case .unsigned: return "UNSIGNED-PAYLOAD"
            }
        }
    }

    /// The request as the signer sees it: the path and query exactly as they go on the wire.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: String
        public var headers: [(name: String, value: String)]

        public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)]) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
        }
    }

    /// Headers never signed: hop-by-hop, or rewritten by proxies (botocore's list).
    static let unsignedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "authorization",
    ]
    public static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let algorithm = "AWS4-HMAC-SHA256"

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    public var pathRules: PathRules
    /// Adds and signs `x-amz-content-sha256` (S3 requires it).
    public var signsContentHash: Bool
    /// Some services want the session token added after signing instead of signed.
    public var signsSessionToken = true
    let keys: SigningKeyCache

    public init(credentials: AWSCredentials, region: String, service: String, pathRules: PathRules = .standard,
                signsContentHash: Bool = false, keyCache: SigningKeyCache = .shared) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.pathRules = pathRules
        self.signsContentHash = signsContentHash
        self.keys = keyCache
    }

    // MARK: Stage 1: the canonical request

    public struct CanonicalRequest: Sendable {
        public let text: String
        public let signedHeaders: String
    }

    public func canonicalRequest(_ request: Request, payloadHash: String) -> CanonicalRequest {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(contentsOf: request.method.uppercased().utf8)
        out.append(0x0A)
        appendCanonicalPath(request.path, to: &out)
        out.append(0x0A)
        Self.appendCanonicalQuery(request.query, to: &out)
        out.append(0x0A)
        let headers = Self.canonicalHeaders(request.headers)
        var signed: [UInt8] = []
        for (i, h) in headers.enumerated() {
            out.append(contentsOf: h.name.utf8)
            out.append(0x3A)
            out.append(contentsOf: h.value.utf8)
            out.append(0x0A)
            if i > 0 { signed.append(0x3B) }
            signed.append(contentsOf: h.name.utf8)
        }
        out.append(0x0A)
        out.append(contentsOf: signed)
        out.append(0x0A)
        out.append(contentsOf: payloadHash.utf8)
        return CanonicalRequest(text: String(decoding: out, as: UTF8.self), signedHeaders: String(decoding: signed, as: UTF8.self))
    }

    func appendCanonicalPath(_ path: String, to out: inout [UInt8]) {
        switch pathRules {
        case .standard:
            URIEncoding.encode(Self.removeDotSegments(path).utf8, into: &out, keepSlash: true)
        case .s3:
            if path.isEmpty { out.append(0x2F) } else {
                URIEncoding.encode(path.utf8, into: &out, keepSlash: true, keepEscapes: true)
            }
        }
    }

    /// RFC 3986 dot-segment removal, plus collapsing repeated slashes as AWS requires.
    static func removeDotSegments(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for seg in path.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == ".." { if !segments.isEmpty { segments.removeLast() }; continue }
            segments.append(seg)
        }
        let lead = path.hasPrefix("/") ? "/" : ""
        let trail = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return lead + segments.joined(separator: "/") + trail
    }

    /// Each name and value decoded and encoded again, then sorted by name, then value.
    static func appendCanonicalQuery(_ query: String, to out: inout [UInt8]) {
        guard !query.isEmpty else { return }
        var pairs: [([UInt8], [UInt8])] = []
        for piece in query.utf8.split(separator: 0x26, omittingEmptySubsequences: true) {
            let eq = piece.firstIndex(of: 0x3D)
            let rawKey = eq.map { piece[piece.startIndex..<$0] } ?? piece[...]
            let rawValue = eq.map { piece[piece.index(after: $0)...] } ?? piece[piece.endIndex...]
            var k: [UInt8] = [], v: [UInt8] = []
            URIEncoding.encode(URIEncoding.decode(rawKey), into: &k)
            URIEncoding.encode(URIEncoding.decode(rawValue), into: &v)
            pairs.append((k, v))
        }
        pairs.sort { a, b in a.0 == b.0 ? a.1.lexicographicallyPrecedes(b.1) : a.0.lexicographicallyPrecedes(b.0) }
        for (i, p) in pairs.enumerated() {
            if i > 0 { out.append(0x26) }
            out.append(contentsOf: p.0)
            out.append(0x3D)
            out.append(contentsOf: p.1)
        }
    }

    /// Lower-case names, sorted; repeated headers joined with commas in order; values trimmed
    /// with inner runs of white space (folded lines included) collapsed to one space.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var byName: [String: [String]] = [:]
        var order: [String] = []
        for h in headers {
            let name = h.name.lowercased()
            if unsignedHeaders.contains(name) { continue }
            let value = h.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
                .joined(separator: " ")
            if byName[name] == nil { order.append(name) }
            byName[name, default: []].append(value)
        }
        return order.sorted().map { ($0, byName[$0]!.joined(separator: ",")) }
    }

    // MARK: Stage 2: the string to sign

    public func scope(date: String) -> String { "\(date)/\(region)/\(service)/aws4_request" }

    public func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        let hash = Crypto.sha256(canonicalRequest).hex
        return "\(Self.algorithm)\n\(timestamp)\n\(scope(date: String(timestamp.prefix(8))))\n\(hash)"
    }

    // MARK: Stage 3: the signature

    public func signature(stringToSign: String, date: String) -> String {
        let key = keys.key(secret: credentials.secretAccessKey, date: date, region: region, service: service)
        return Crypto.hmacSHA256(key: key, stringToSign).hex
    }

    // MARK: The header form

    /// Everything one signature produced, for `--debug` and for tests that check each stage.
    public struct Signed: Sendable {
        public var request: Request
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
    }

    /// Adds X-Amz-Date, the session token, the content hash (S3) and Authorization.
    public func sign(_ request: Request, payload: Payload, at date: Date) -> Signed {
        let timestamp = Self.timestamp(date)
        var r = request
        r.headers.removeAll { ["x-amz-date", "authorization"].contains($0.name.lowercased()) }
        r.headers.append(("X-Amz-Date", timestamp))
        let payloadHash = payload.hash
        if signsContentHash {
            r.headers.removeAll { $0.name.lowercased() == "x-amz-content-sha256" }
            r.headers.append(("x-amz-content-sha256", payloadHash))
        }
        if let token = credentials.sessionToken, signsSessionToken {
            r.headers.append(("X-Amz-Security-Token", token))
        }
        let canonical = canonicalRequest(r, payloadHash: payloadHash)
        let toSign = stringToSign(canonicalRequest: canonical.text, timestamp: timestamp)
        let sig = signature(stringToSign: toSign, date: String(timestamp.prefix(8)))
        if let token = credentials.sessionToken, !signsSessionToken {
            r.headers.append(("X-Amz-Security-Token", token))
        }
        r.headers.append(("Authorization", "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope(date: String(timestamp.prefix(8)))), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(sig)"))
        return Signed(request: r, canonicalRequest: canonical.text, stringToSign: toSign, signature: sig)
    }

    // MARK: The query (presigned URL) form

    /// Puts the signature in the query string, valid for `expires` seconds.
    public func presign(_ request: Request, payload: Payload = .empty, expires: Int, at date: Date) -> Signed {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        let signedNames = Self.canonicalHeaders(request.headers).map(\.name).joined(separator: ";")
        var params: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(date: day))"),
            ("X-Amz-Date", timestamp),
            ("X-Amz-SignedHeaders", signedNames),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken, signsSessionToken { params.append(("X-Amz-Security-Token", token)) }
        var r = request
        let added = params.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        r.query = r.query.isEmpty ? added : r.query + "&" + added
        let canonical = canonicalRequest(r, payloadHash: payload.hash)
        let toSign = stringToSign(canonicalRequest: canonical.text, timestamp: timestamp)
        let sig = signature(stringToSign: toSign, date: day)
        if let token = credentials.sessionToken, !signsSessionToken {
            r.query += "&X-Amz-Security-Token=" + URIEncoding.encode(token)
        }
        r.query += "&X-Amz-Signature=" + sig
        return Signed(request: r, canonicalRequest: canonical.text, stringToSign: toSign, signature: sig)
    }

    /// `20150830T123600Z`, in UTC, without a DateFormatter (this runs on every request).
    public static func timestamp(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)\(two(tm.tm_mon + 1))\(two(tm.tm_mday))T\(two(tm.tm_hour))\(two(tm.tm_min))\(two(tm.tm_sec))Z"
    }
}

/// Derived signing keys, cached per (secret, date, region, service): four HMACs saved per request.
public final class SigningKeyCache: @unchecked Sendable {
    public static let shared = SigningKeyCache()
    private let lock = NSLock()
    private var keys: [String: [UInt8]] = [:]

    public init() {}

    func key(secret: String, date: String, region: String, service: String) -> [UInt8] {
        let id = "\(secret)\u{0}\(date)\u{0}\(region)\u{0}\(service)"
        lock.lock()
        if let k = keys[id] { lock.unlock(); return k }
        lock.unlock()
        let kDate = Crypto.hmacSHA256(key: Array("AWS4\(secret)".utf8), date)
        let kRegion = Crypto.hmacSHA256(key: kDate, region)
        let kService = Crypto.hmacSHA256(key: kRegion, service)
        let kSigning = Crypto.hmacSHA256(key: kService, "aws4_request")
        lock.lock()
        if keys.count > 64 { keys.removeAll() }
        keys[id] = kSigning
        lock.unlock()
        return kSigning
    }
}

extension SigV4 {
    /// Signs an HTTP request: the path and query as they go on the wire, Host from the URL
    /// when the request has none.
    public func sign(_ request: HTTPRequest, payload: Payload, at date: Date) -> (request: HTTPRequest, details: Signed) {
        var headers = request.headers
        if !headers.contains(where: { $0.name.caseInsensitiveCompare("host") == .orderedSame }) {
            headers.insert(("Host", Self.hostHeader(request.url)), at: 0)
        }
        let path = request.url.path(percentEncoded: true)
        let signed = sign(Request(method: request.method, path: path.isEmpty ? "/" : path,
                                  query: request.url.query(percentEncoded: true) ?? "", headers: headers),
                          payload: payload, at: date)
        var out = request
        out.headers = signed.request.headers
        return (out, signed)
    }

    /// `host[:port]`, the port only when it is not the scheme's default.
    public static func hostHeader(_ url: URL) -> String {
        let host = url.host(percentEncoded: false) ?? ""
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        let scheme = url.scheme?.lowercased()
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return bracketed }
        return "\(bracketed):\(port)"
    }
}
