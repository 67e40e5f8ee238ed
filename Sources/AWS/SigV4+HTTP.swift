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
        let signed = sign(consume r, payload: payload, at: date)
        var out = request
        out.headers = signed.request.headers
        return (out, signed)
    }

    /// `host[:port]`, the port only when it is not the scheme's default.
    public static func hostHeader(_ url: URL) -> String {
        // Fast path: the authority as written in an http(s) URL without user info, found on bytes.
        var absolute = url.absoluteString
        let fast: String? = absolute.withUTF8 { t in
            let n = t.count
            var i = 0
            while i < n && t[i] != 0x3A { i += 1 }
            guard i + 2 < n, t[i + 1] == 0x2F, t[i + 2] == 0x2F else { return nil }
            let https = i == 5  // "https" rather than "http"
            let start = i + 3
            var end = start
            while end < n && t[end] != 0x2F && t[end] != 0x3F && t[end] != 0x23 {
                let b = t[end]
                if b == 0x40 || b == 0x5B || (b >= 0x41 && b <= 0x5A) { return nil }  // user info, IPv6, upper case
                end += 1
            }
            let defaultPort: StaticString = https ? ":443" : ":80"
            var stop = end
            let portLength = defaultPort.utf8CodeUnitCount
            if end - start > portLength && memcmp(t.baseAddress! + end - portLength, defaultPort.utf8Start, portLength) == 0 {
                stop = end - portLength
            }
            return String(decoding: UnsafeBufferPointer(rebasing: t[start..<stop]), as: UTF8.self)
        }
        if let fast { return fast }
        let host = url.host(percentEncoded: false) ?? ""
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        let scheme = url.scheme?.lowercased()
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return bracketed }
        return "\(bracketed):\(port)"
    }
}

