import Foundation

/// The SDKs' standard retry mode: up to `maxAttempts` tries, exponential backoff with
/// full jitter capped at 20 s, on throttling, 5xx and transient network errors.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var maxBackoff: TimeInterval = 20
    public var baseDelay: TimeInterval = 1
    /// Injected so tests never sleep and can check the delays.
    public var sleep: @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

    public init(maxAttempts: Int = 3) { self.maxAttempts = max(1, maxAttempts) }

    /// AWS_MAX_ATTEMPTS / max_attempts and AWS_RETRY_MODE / retry_mode; legacy mode means 5 attempts.
    public static func from(environment: [String: String], profile: [String: String]?) throws(ConfigError) -> RetryPolicy {
        let mode = environment["AWS_RETRY_MODE"] ?? profile?["retry_mode"] ?? "standard"
        guard ["standard", "legacy", "adaptive"].contains(mode) else {
            throw ConfigError("retry mode \(UserInput.quoted(mode)) is not standard, legacy or adaptive")
        }
        var attempts = mode == "legacy" ? 5 : 3
        if let raw = environment["AWS_MAX_ATTEMPTS"] ?? profile?["max_attempts"] {
            guard let n = Int(raw), n >= 1 else { throw ConfigError("max attempts \(UserInput.quoted(raw)) is not a whole number >= 1") }
            attempts = n
        }
        return RetryPolicy(maxAttempts: attempts)
    }

    /// The wait before retry number `retry` (1 = the first retry).
    public func delay(beforeRetry retry: Int) -> TimeInterval {
        random() * min(maxBackoff, baseDelay * pow(2, Double(retry - 1)))
    }
}
