import Foundation

/// One HTTP request, as the signer and the transport see it.
public struct HTTPRequest: Sendable {
    public enum Body: Sendable {
        case empty
        case data(Data)
        /// Streamed from disk with a Content-Length, never loaded whole (S3 uploads).
        case file(path: String, size: Int64)
    }

    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Body = .empty) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        headers.append((name, value))
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Names in lower case.
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A network failure before any HTTP status arrived.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// Worth another attempt: a refused or reset connection, a timeout, a DNS hiccup.
    public let isTransient: Bool
    /// The server took the connection but sent nothing for the stall bound: worth one more
    /// try, not three (three would be minutes of silence).
    public let isStall: Bool
    public init(_ message: String, isTransient: Bool, isStall: Bool = false) {
        self.message = message
        self.isTransient = isTransient
        self.isStall = isStall
    }
    public var description: String { message }
}

/// Sends requests. Implemented by libcurl; wrapped by retries, and by tests.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}
