/// The HTTP API stage's throttle: API Gateway's token bucket in front of every route.
/// The GET routes are public and every new query string is a miss that runs the function
/// and calls the upstream, so this is also the bound on a runaway bill.
public struct ThrottleOptions: Sendable, Equatable {
    /// Steady requests per second the stage lets through.
    public var ratePerSecond: Double = 100
    /// Requests it lets through at once above the steady rate (the bucket's size).
    public var burst = 200

    public init() {}

    /// API Gateway's default account quota per region: 10,000 requests/s, burst 5,000; a
    /// stage cannot be set above it.
    public static let accountRateLimit = 10_000.0
    public static let accountBurstLimit = 5_000
    /// One request a minute and a half: below it a stage is better deleted than throttled.
    public static let minimumRate = 0.01

    public func validate() throws(StackOptionsError) {
        guard ratePerSecond.isFinite, ratePerSecond >= Self.minimumRate, ratePerSecond <= Self.accountRateLimit else {
            throw .init("--throttle-rate \(ratePerSecond) is outside 0.01 to 10000 requests/s "
                + "(10000: API Gateway's default account limit per region)")
        }
        guard (1...Self.accountBurstLimit).contains(burst) else {
            throw .init("--throttle-burst \(burst) is outside 1 to 5000 (API Gateway's default account burst per region)")
        }
    }

    /// The local front's environment (lambda/local/front.mjs enforces the same bucket).
    public var environment: [String: String] {
        ["THROTTLE_RATE": String(ratePerSecond), "THROTTLE_BURST": String(burst)]
    }
}
