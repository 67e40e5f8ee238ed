import AWS
import Foundation

/// `cachedemo invalidate`: DELETE requests to the cache's purge route, signed with SigV4
/// for execute-api, as API Gateway's AWS_IAM authorization expects.
public struct Invalidator: Sendable {
    public enum Mode: String, Sendable { case key, prefix, all }

    public struct Outcome: Sendable {
        public let path: String
        public let status: Int
        /// Entries removed (nil for a namespace purge, which drops everything at once).
        public let removed: Int?
        public let message: String
        public var succeeded: Bool { status == 204 || status == 404 }
    }

    /// The header that widens a purge from one key (`prefix`, `all`); lambda/src/purge.mjs reads it.
    public static let modeHeader = "x-cachedemo-purge"

    let endpoint: URL
    let signer: SigV4
    let transport: HTTPTransport
    let now: @Sendable () -> Date

    public init(endpoint: URL, credentials: AWSCredentials, region: String, transport: HTTPTransport = CurlTransport(),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint
        self.signer = SigV4(credentials: credentials, region: region, service: "execute-api")
        self.transport = transport
        self.now = now
    }

    public func purge(paths: [String], mode: Mode) -> [Outcome] {
        if mode == .all { return [send(path: "/", mode: .all)] }
        return paths.map { send(path: $0, mode: mode) }
    }

    func send(path: String, mode: Mode) -> Outcome {
        guard let url = cacheURL(endpoint, path) else {
            return Outcome(path: path, status: 0, removed: nil, message: "not a valid path")
        }
        var request = HTTPRequest(method: "DELETE", url: url)
        // The mode travels in a header, never in the path or query: those are the upstream's
        // own, so `/search?all=true` is one entry like any other.
        if mode != .key { request.setHeader(Self.modeHeader, mode.rawValue) }
        let signed = signer.sign(request, payload: .empty, at: now()).request
        do {
            let r = try transport.send(signed)
            switch r.status {
            case 204:
                if mode == .all {
                    return Outcome(path: path, status: 204, removed: nil,
                                   message: "namespace dropped (version \(r.header("x-cache-namespace-version") ?? "?"))")
                }
                let n = Int(r.header("x-cache-removed") ?? "") ?? 0
                return Outcome(path: path, status: 204, removed: n, message: "removed \(n) entr\(n == 1 ? "y" : "ies")")
            case 404: return Outcome(path: path, status: 404, removed: 0, message: "nothing was cached")
            case 403: return Outcome(path: path, status: 403, removed: nil,
                                     message: "forbidden: the signature was refused (for AWS: allow execute-api:Invoke on the DELETE routes)")
            default:
                return Outcome(path: path, status: r.status, removed: nil, message: "HTTP \(r.status): \(r.text.prefix(200))")
            }
        } catch {
            return Outcome(path: path, status: 0, removed: nil, message: "\(error)")
        }
    }
}

/// A path and query under a cache's endpoint, as a user types them: characters a URL cannot
/// carry (spaces, say) are encoded, escapes already there kept. Used by smoke-test and invalidate.
public func cacheURL(_ endpoint: URL, _ pathAndQuery: String) -> URL? {
    var base = endpoint.absoluteString
    while base.hasSuffix("/") { base.removeLast() }
    let path = pathAndQuery.hasPrefix("/") ? pathAndQuery : "/" + pathAndQuery
    let allowed = CharacterSet.urlPathAllowed.union(.urlQueryAllowed).union(CharacterSet(charactersIn: "%"))
    return URL(string: base + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path))
}
