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
        /// UTF-8 bytes: hashed as they are; turned into a String only when someone asks.
        public let bytes: [UInt8]
        public let signedHeaderBytes: [UInt8]
        public var text: String { String(decoding: bytes, as: UTF8.self) }
        public var signedHeaders: String { String(decoding: signedHeaderBytes, as: UTF8.self) }
    }

    public func canonicalRequest(_ request: Request, payloadHash: String) -> CanonicalRequest {
        var out: [UInt8] = []
        out.reserveCapacity(768)
        for b in request.method.utf8 { out.append(b >= 0x61 && b <= 0x7A ? b - 32 : b) }
        out.append(0x0A)
        appendCanonicalPath(request.path, to: &out)
        out.append(0x0A)
        Self.appendCanonicalQuery(request.query, to: &out)
        out.append(0x0A)
        let signed = Self.appendCanonicalHeaders(request.headers, to: &out)
        out.append(0x0A)
        out.append(contentsOf: signed)
        out.append(0x0A)
        out.append(contentsOf: payloadHash.utf8)
        return CanonicalRequest(bytes: out, signedHeaderBytes: signed)
    }

    func appendCanonicalPath(_ path: String, to out: inout [UInt8]) {
        switch pathRules {
        case .standard:
            if path == "/" { out.append(0x2F); return }
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

    static let unsignedHeaderBytes: [[UInt8]] = unsignedHeaders.map { Array($0.utf8) }

    /// Appends `name:value\n` per header: names lower-cased and sorted, repeated headers
    /// joined with commas in order, values trimmed with inner runs of white space (folded
    /// lines included) collapsed to one space. Returns the signed-headers list.
    /// Works on raw bytes in one scratch buffer: this runs on every request.
    static func appendCanonicalHeaders(_ headers: [(name: String, value: String)], to out: inout [UInt8]) -> [UInt8] {
        let capacity = headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
        var entries: [(nameStart: Int, nameEnd: Int, valueEnd: Int)] = []
        entries.reserveCapacity(headers.count)
        let scratch = [UInt8](unsafeUninitializedCapacity: max(capacity, 1)) { buf, count in
            var pos = 0
            for h in headers {
                let nameStart = pos
                var name = h.name
                name.withUTF8 { n in
                    for b in n {
                        buf[pos] = b >= 0x41 && b <= 0x5A ? b + 32 : b
                        pos += 1
                    }
                }
                let nameLength = pos - nameStart
                if unsignedHeaderBytes.contains(where: { u in
                    u.count == nameLength && u.withUnsafeBufferPointer { memcmp($0.baseAddress!, buf.baseAddress! + nameStart, nameLength) == 0 }
                }) {
                    pos = nameStart
                    continue
                }
                let nameEnd = pos
                var value = h.value
                value.withUTF8 { v in
                    var pendingSpace = false
                    for b in v {
                        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C {
                            pendingSpace = pos > nameEnd
                            continue
                        }
                        if pendingSpace {
                            buf[pos] = 0x20
                            pos += 1
                            pendingSpace = false
                        }
                        buf[pos] = b
                        pos += 1
                    }
                }
                entries.append((nameStart, nameEnd, pos))
            }
            count = pos
        }
        var signed: [UInt8] = []
        signed.reserveCapacity(128)
        scratch.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            /// Byte order of two names; ties keep the headers' order (insertion sort is stable).
            func less(_ a: (nameStart: Int, nameEnd: Int, valueEnd: Int), _ b: (nameStart: Int, nameEnd: Int, valueEnd: Int)) -> Bool {
                let la = a.nameEnd - a.nameStart, lb = b.nameEnd - b.nameStart
                let c = memcmp(base + a.nameStart, base + b.nameStart, min(la, lb))
                return c != 0 ? c < 0 : la < lb
            }
            for i in 1..<max(entries.count, 1) {
                let e = entries[i]
                var j = i - 1
                while j >= 0 && less(e, entries[j]) {
                    entries[j + 1] = entries[j]
                    j -= 1
                }
                entries[j + 1] = e
            }
            var i = 0
            while i < entries.count {
                let name = UnsafeBufferPointer(rebasing: buf[entries[i].nameStart..<entries[i].nameEnd])
                if !signed.isEmpty { signed.append(0x3B) }
                signed.append(contentsOf: name)
                out.append(contentsOf: name)
                out.append(0x3A)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[entries[i].nameEnd..<entries[i].valueEnd]))
                var j = i + 1
                while j < entries.count && !less(entries[i], entries[j]) {
                    out.append(0x2C)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[entries[j].nameEnd..<entries[j].valueEnd]))
                    j += 1
                }
                out.append(0x0A)
                i = j
            }
        }
        return signed
    }

    // MARK: Stage 2: the string to sign

    public func scope(date: String) -> String { "\(date)/\(region)/\(service)/aws4_request" }

    public func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        var c = canonicalRequest
        return c.withUTF8 { stringToSign(canonicalHash: Crypto.sha256(UnsafeRawBufferPointer($0)), timestamp: timestamp) }
    }

    func stringToSign(canonicalHash: [UInt8], timestamp: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        out.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        out.append(contentsOf: timestamp.utf8)
        out.append(0x0A)
        out.append(contentsOf: timestamp.utf8.prefix(8))
        out.append(0x2F)
        out.append(contentsOf: region.utf8)
        out.append(0x2F)
        out.append(contentsOf: service.utf8)
        out.append(contentsOf: "/aws4_request\n".utf8)
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        for b in canonicalHash {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Stage 3: the signature

    public func signature(stringToSign: String, date: String) -> String {
        let key = keys.key(secret: credentials.secretAccessKey, date: date, region: region, service: service)
        var s = stringToSign
        return s.withUTF8 { key.authenticate(UnsafeRawBufferPointer($0)) }.hex
    }

    // MARK: The header form

    /// Everything one signature produced, for `--debug` and for tests that check each stage.
    public struct Signed: Sendable {
        public var request: Request
        let canonical: CanonicalRequest
        public let stringToSign: String
        public let signature: String
        public var canonicalRequest: String { canonical.text }
    }

    /// Adds X-Amz-Date, the session token, the content hash (S3) and Authorization.
    public func sign(_ request: consuming Request, payload: Payload, at date: Date) -> Signed {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        var r = request
        let payloadHash = payload.hash
        r.headers.reserveCapacity(r.headers.count + 4)
        r.headers.removeAll {
            Self.named($0.name, "x-amz-date") || Self.named($0.name, "authorization")
                || (signsContentHash && Self.named($0.name, "x-amz-content-sha256"))
        }
        r.headers.append(("X-Amz-Date", timestamp))
        if signsContentHash { r.headers.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken, signsSessionToken {
            r.headers.append(("X-Amz-Security-Token", token))
        }
        let canonical = canonicalRequest(r, payloadHash: payloadHash)
        let toSign = stringToSign(canonicalHash: Crypto.sha256(canonical.bytes), timestamp: timestamp)
        let sig = signature(stringToSign: toSign, date: day)
        if let token = credentials.sessionToken, !signsSessionToken {
            r.headers.append(("X-Amz-Security-Token", token))
        }
        var auth: [UInt8] = []
        auth.reserveCapacity(256)
        auth.append(contentsOf: "AWS4-HMAC-SHA256 Credential=".utf8)
        auth.append(contentsOf: credentials.accessKeyId.utf8)
        auth.append(0x2F)
        auth.append(contentsOf: day.utf8)
        auth.append(0x2F)
        auth.append(contentsOf: region.utf8)
        auth.append(0x2F)
        auth.append(contentsOf: service.utf8)
        auth.append(contentsOf: "/aws4_request, SignedHeaders=".utf8)
        auth.append(contentsOf: canonical.signedHeaderBytes)
        auth.append(contentsOf: ", Signature=".utf8)
        auth.append(contentsOf: sig.utf8)
        r.headers.append(("Authorization", String(decoding: auth, as: UTF8.self)))
        return Signed(request: r, canonical: canonical, stringToSign: toSign, signature: sig)
    }

    // MARK: The query (presigned URL) form

    /// Puts the signature in the query string, valid for `expires` seconds.
    public func presign(_ request: Request, payload: Payload = .empty, expires: Int, at date: Date) -> Signed {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        var discard: [UInt8] = []
        let signedNames = String(decoding: Self.appendCanonicalHeaders(request.headers, to: &discard), as: UTF8.self)
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
        let toSign = stringToSign(canonicalHash: Crypto.sha256(canonical.bytes), timestamp: timestamp)
        let sig = signature(stringToSign: toSign, date: day)
        if let token = credentials.sessionToken, !signsSessionToken {
            r.query += "&X-Amz-Security-Token=" + URIEncoding.encode(token)
        }
        r.query += "&X-Amz-Signature=" + sig
        return Signed(request: r, canonical: canonical, stringToSign: toSign, signature: sig)
    }

    /// ASCII case-insensitive name comparison, without allocating (`lower` is lower case).
    static func named(_ name: String, _ lower: StaticString) -> Bool {
        let n = name.utf8
        guard n.count == lower.utf8CodeUnitCount else { return false }
        return lower.withUTF8Buffer { l in
            zip(n, l).allSatisfy { a, b in (a >= 0x41 && a <= 0x5A ? a + 32 : a) == b }
        }
    }

    /// `20150830T123600Z`, in UTC, without a DateFormatter (this runs on every request).
    public static func timestamp(_ date: Date) -> String {
        let second = Int(date.timeIntervalSince1970.rounded(.down))
        return TimestampCache.shared.timestamp(second) { format(second) }
    }

    static func format(_ second: Int) -> String {
        var t = time_t(second)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)\(two(tm.tm_mon + 1))\(two(tm.tm_mday))T\(two(tm.tm_hour))\(two(tm.tm_min))\(two(tm.tm_sec))Z"
    }
}

/// Derived signing keys, cached per (secret, date, region, service): four HMACs saved per
/// request, and the key's pads pre-hashed. The last key used is checked first, without hashing.
public final class SigningKeyCache: @unchecked Sendable {
    public static let shared = SigningKeyCache()
    private struct Entry {
        let secret: String, date: String, region: String, service: String
        let key: HMACKey
    }
    private let lock = NSLock()
    private var last: Entry?
    private var keys: [String: HMACKey] = [:]

    public init() {}

    func key(secret: String, date: String, region: String, service: String) -> HMACKey {
        lock.lock()
        defer { lock.unlock() }
        if let e = last, e.date == date, e.region == region, e.service == service, e.secret == secret { return e.key }
        let id = "\(secret)\u{0}\(date)\u{0}\(region)\u{0}\(service)"
        let key: HMACKey
        if let k = keys[id] {
            key = k
        } else {
            let kDate = Crypto.hmacSHA256(key: Array("AWS4\(secret)".utf8), date)
            let kRegion = Crypto.hmacSHA256(key: kDate, region)
            let kService = Crypto.hmacSHA256(key: kRegion, service)
            key = HMACKey(Crypto.hmacSHA256(key: kService, "aws4_request"))
            if keys.count > 64 { keys.removeAll() }
            keys[id] = key
        }
        last = Entry(secret: secret, date: date, region: region, service: service, key: key)
        return key
    }
}

extension SigV4 {
    /// Signs an HTTP request: the path and query as they go on the wire, Host from the URL
    /// when the request has none.
    public func sign(_ request: HTTPRequest, payload: Payload, at date: Date) -> (request: HTTPRequest, details: Signed) {
        let path = request.url.path(percentEncoded: true)
        var r = Request(method: request.method, path: path.isEmpty ? "/" : path,
                        query: request.url.query(percentEncoded: true) ?? "", headers: request.headers)
        if !r.headers.contains(where: { Self.named($0.name, "host") }) {
            r.headers.append(("Host", Self.hostHeader(request.url)))
        }
        let signed = sign(r, payload: payload, at: date)
        var out = request
        out.headers = signed.request.headers
        return (out, signed)
    }

    /// `host[:port]`, the port only when it is not the scheme's default.
    public static func hostHeader(_ url: URL) -> String {
        // Fast path: the authority as written in an http(s) URL without user info.
        let text = url.absoluteString.utf8
        if let schemeEnd = text.firstIndex(of: 0x3A), text[schemeEnd...].starts(with: "://".utf8) {
            let start = text.index(schemeEnd, offsetBy: 3)
            let rest = text[start...]
            let end = rest.firstIndex(where: { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 }) ?? rest.endIndex
            let authority = rest[..<end]
            let scheme = String(decoding: text[..<schemeEnd], as: UTF8.self)
            if !authority.contains(where: { $0 == 0x40 || $0 == 0x5B || ($0 >= 0x41 && $0 <= 0x5A) }) {
                let s = String(decoding: authority, as: UTF8.self)
                if scheme == "http", s.hasSuffix(":80") { return String(s.dropLast(3)) }
                if scheme == "https", s.hasSuffix(":443") { return String(s.dropLast(4)) }
                return s
            }
        }
        let host = url.host(percentEncoded: false) ?? ""
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        let scheme = url.scheme?.lowercased()
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return bracketed }
        return "\(bracketed):\(port)"
    }
}

/// The last formatted timestamp, reused within the same second.
final class TimestampCache: @unchecked Sendable {
    static let shared = TimestampCache()
    private let lock = NSLock()
    private var second = -1
    private var text = ""

    func timestamp(_ s: Int, make: () -> String) -> String {
        lock.lock()
        defer { lock.unlock() }
        if s != second {
            text = make()
            second = s
        }
        return text
    }
}
