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
            case .body(let b): return b.isEmpty ? SigV4.emptyHash : Crypto.sha256Hex(b)
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

    // MARK: Stage 2: the string to sign

    public func scope(date: String) -> String {
        var bytes: [UInt8] = []
        appendScope(day: date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        String(decoding: stringToSignBytes(canonical: Array(canonicalRequest.utf8), timestamp: timestamp,
                                           day: String(timestamp.prefix(8))), as: UTF8.self)
    }

    /// `20150830/us-east-1/service/aws4_request`: in the string to sign and in Authorization.
    func appendScope(day: String, to out: inout [UInt8]) {
        out.append(contentsOf: day.utf8)
        out.append(0x2F)
        out.append(contentsOf: region.utf8)
        out.append(0x2F)
        out.append(contentsOf: service.utf8)
        out.append(contentsOf: "/aws4_request".utf8)
    }

    /// The string to sign as bytes: algorithm, timestamp, scope, and the canonical request's hash.
    func stringToSignBytes(canonical: [UInt8], timestamp: String, day: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        out.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        out.append(contentsOf: timestamp.utf8)
        out.append(0x0A)
        appendScope(day: day, to: &out)
        out.append(0x0A)
        canonical.withUnsafeBytes { Crypto.appendSHA256Hex(of: $0, to: &out) }
        return out
    }

    // MARK: Stage 3: the signature

    /// The signature of the string to sign, appended as hex: no intermediate arrays.
    func appendSignature(of toSign: [UInt8], day: String, to out: inout [UInt8]) {
        let key = keys.key(secret: credentials.secretAccessKey, date: day, region: region, service: service)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { mac in
            toSign.withUnsafeBytes { key.authenticate($0, into: mac.baseAddress!) }
            Crypto.appendHex(UnsafeBufferPointer(mac), to: &out)
        }
    }

    public func signature(stringToSign: String, date: String) -> String {
        var out: [UInt8] = []
        appendSignature(of: Array(stringToSign.utf8), day: date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: The header form

    /// Everything one signature produced, for `--debug` and for tests that check each stage.
    public struct Signed: Sendable {
        public var request: Request
        let canonical: CanonicalRequest
        let stringToSignBytes: [UInt8]
        /// The presigned form's signature; the header form's is read off Authorization when asked.
        let presignedSignature: String?
        public var canonicalRequest: String { canonical.text }
        public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }
        public var signature: String {
            if let presignedSignature { return presignedSignature }
            let auth = request.headers.last { SigV4.named($0.name, "authorization") }?.value ?? ""
            return String(auth.suffix(64))
        }
    }

    /// Adds X-Amz-Date, the session token, the content hash (S3) and Authorization.
    public func sign(_ request: consuming Request, payload: Payload, at date: Date) -> Signed {
        let timestamp = Self.timestamp(date)
        let day = String(decoding: timestamp.utf8.prefix(8), as: UTF8.self)
        var r = consume request
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
        let toSign = stringToSignBytes(canonical: canonical.bytes, timestamp: timestamp, day: day)
        if let token = credentials.sessionToken, !signsSessionToken {
            r.headers.append(("X-Amz-Security-Token", token))
        }
        var auth: [UInt8] = []
        auth.reserveCapacity(256)
        auth.append(contentsOf: "AWS4-HMAC-SHA256 Credential=".utf8)
        auth.append(contentsOf: credentials.accessKeyId.utf8)
        auth.append(0x2F)
        appendScope(day: day, to: &auth)
        auth.append(contentsOf: ", SignedHeaders=".utf8)
        auth.append(contentsOf: canonical.signedHeaderBytes)
        auth.append(contentsOf: ", Signature=".utf8)
        appendSignature(of: toSign, day: day, to: &auth)
        r.headers.append(("Authorization", String(decoding: auth, as: UTF8.self)))
        return Signed(request: r, canonical: canonical, stringToSignBytes: toSign, presignedSignature: nil)
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
        let added = URIEncoding.query(params)
        r.query = r.query.isEmpty ? added : r.query + "&" + added
        let canonical = canonicalRequest(r, payloadHash: payload.hash)
        let toSign = stringToSignBytes(canonical: canonical.bytes, timestamp: timestamp, day: day)
        var sigBytes: [UInt8] = []
        appendSignature(of: toSign, day: day, to: &sigBytes)
        let sig = String(decoding: sigBytes, as: UTF8.self)
        if let token = credentials.sessionToken, !signsSessionToken {
            r.query += "&X-Amz-Security-Token=" + URIEncoding.encode(token)
        }
        r.query += "&X-Amz-Signature=" + sig
        return Signed(request: r, canonical: canonical, stringToSignBytes: toSign, presignedSignature: sig)
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
