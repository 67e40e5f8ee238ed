import AWS
import Foundation

/// The API the cache fronts, checked the way the function will use it: the handler joins
/// each request's path and query onto it, so it must be a plain http(s) base URL. No
/// credentials (the template would carry them in clear), no query or fragment (the
/// request's own replace them), a real TCP port, nothing that is not printable ASCII.
public struct UpstreamURL: Sendable, Equatable {
    public let scheme: String
    public let host: String
    /// The port the function connects to: the URL's own, or the scheme's.
    public let port: Int

    /// The longest URL taken: the common limit of HTTP servers and browsers, and half of
    /// Lambda's 4 KB for all of a function's environment variables.
    public static let maxLength = 2048

    static let fallback = UpstreamURL(scheme: "https", host: "invalid", port: 443)

    private init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    public init(_ text: String, flag: String = "--upstream-url") throws(StackOptionsError) {
        let example = "use one like https://api.example.com or https://api.example.com/v1"
        // It travels in the function's environment, which Lambda caps at 4 KB for every variable together.
        guard text.utf8.count <= Self.maxLength else {
            throw .init("\(flag) is \(text.utf8.count) characters; give a base URL of at most \(Self.maxLength) "
                + "(it goes in the function's environment, which Lambda limits to 4 KB in all)")
        }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .init("\(flag) holds a space, a line break or a non-ASCII character; \(example) (percent-encode the rest)")
        }
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = c.host, !host.isEmpty, host.utf8.count <= 253
        else { throw .init("\(flag) \(UserInput.quoted(text)) is not an http(s) URL; \(example)") }
        guard c.user == nil && c.password == nil else {
            throw .init("\(flag) carries a user name or password, which would sit in clear in the template and the "
                + "function's configuration; give the URL without them")
        }
        guard c.query == nil && c.fragment == nil else {
            throw .init("\(flag) \(UserInput.quoted(text)) has a query or fragment; each request's own query is passed on, so give the base URL only")
        }
        // URLComponents takes any digits as a port; TCP has 1-65535.
        if let port = c.port, !(1...65535).contains(port) {
            throw .init("\(flag) port \(port) is not a TCP port (1-65535)")
        }
        self.init(scheme: scheme, host: host, port: c.port ?? (scheme == "https" ? 443 : 80))
    }
}
