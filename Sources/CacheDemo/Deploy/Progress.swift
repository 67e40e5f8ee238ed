import AWS
import Foundation

/// Where long operations report as they go. The CLI prints to stderr (colours on a TTY);
/// tests collect the lines.
public protocol DeployProgress: Sendable {
    func info(_ line: String)
    func event(_ event: CloudFormationClient.Event, done: Int, total: Int?)
    /// The change set about to be executed (or left for review).
    func changes(_ changes: [CloudFormationClient.Change])
}

/// Sleeping and reading the clock, injected so tests never wait.
public struct Clock: Sendable {
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (TimeInterval) -> Void
    public init(now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }) {
        self.now = now
        self.sleep = sleep
    }
}

/// Set by the CLI's SIGINT handler: waiting stops, the stack operation goes on in CloudFormation.
public final class Interruption: @unchecked Sendable {
    public static let shared = Interruption()
    private let lock = NSLock()
    private var signal: Int32?
    public var requested: Bool { lock.withLock { signal != nil } }
    /// The signal that asked (SIGINT, SIGTERM, SIGHUP): the exit code is 128 + it.
    public var requestedBy: Int32? { lock.withLock { signal } }
    public func request(signal: Int32 = 2) { lock.withLock { self.signal = self.signal ?? signal } }
}

/// A deploy, destroy or wait that did not end well, said in one line.
public struct DeployError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case failed, usage, interrupted, timedOut }
    public let kind: Kind
    public let description: String
    public init(_ kind: Kind = .failed, _ message: String) {
        self.kind = kind
        description = message
    }
}
