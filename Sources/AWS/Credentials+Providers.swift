import Foundation

/// Where credentials come from; `credentials()` is called before every request.
public protocol CredentialsProvider: Sendable {
    func credentials() throws -> AWSCredentials
    /// Said by `whoami` and `--debug`: "environment", "profile dev (assume role)", ...
    var source: String { get }
}

/// Credentials that never change (flags, environment, static profile keys).
public struct StaticCredentials: CredentialsProvider {
    let value: AWSCredentials
    public let source: String
    public init(_ value: AWSCredentials, source: String) {
        self.value = value
        self.source = source
    }
    public func credentials() throws -> AWSCredentials { value }
}

/// Temporary credentials, fetched again five minutes before they expire, so a long
/// deploy never signs with an expired token.
public final class RefreshingCredentials: CredentialsProvider, @unchecked Sendable {
    public let source: String
    private let fetch: @Sendable () throws -> AWSCredentials
    private let lock = NSLock()
    private var cached: AWSCredentials?
    let refreshWindow: TimeInterval
    let now: @Sendable () -> Date

    public init(source: String, refreshWindow: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() },
                fetch: @escaping @Sendable () throws -> AWSCredentials) {
        self.source = source
        self.fetch = fetch
        self.refreshWindow = refreshWindow
        self.now = now
    }

    public func credentials() throws -> AWSCredentials {
        lock.lock()
        defer { lock.unlock() }
        if let c = cached, c.expiration.map({ $0.timeIntervalSince(now()) > refreshWindow }) ?? true { return c }
        let fresh = try fetch()
        cached = fresh
        return fresh
    }
}

/// A credentials source that is configured but does not work: one line, exit code 1.
public struct CredentialsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
