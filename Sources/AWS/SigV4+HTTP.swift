import Foundation

extension SigV4 {
    /// Signs an HTTP request: the path and query as they go on the wire, Host from the URL
    /// when the request has none.
    public func sign(_ request: HTTPRequest, payload: Payload, at date: Date) -> (request: HTTPRequest, details: Signed) {
        let path = request.url.path(percentEncoded: true)
        var headers = request.headers
        headers.reserveCapacity(headers.count + 5)  // Host, the date, the token, the content hash, Authorization
        var r = Request(method: request.method, path: path.isEmpty ? "/" : path,
                        query: request.url.query(percentEncoded: true) ?? "", headers: headers)
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

