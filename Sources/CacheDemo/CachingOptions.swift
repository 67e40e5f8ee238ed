/// How the function caches, wherever it runs: the stack's function and `cachedemo local`
/// take the same settings, through the same environment variables.
public struct CachingOptions: Sendable, Equatable {
    /// Seconds an entry lives in Redis; 0 = no expiry.
    public var ttlSeconds = 3600
    /// Megabytes of entries each function instance keeps in memory, kept coherent by Redis
    /// tracking; 0 = every hit reads Redis.
    public var instanceCacheMB = 16

    public init() {}

    /// Ten years: far past any useful cache lifetime, far below where Redis's EX overflows.
    public static let maxTTLSeconds = 315_360_000

    /// `memoryMB` is the function's memory, when known: the copy may take at most half of it.
    public func validate(memoryMB: Int? = nil) throws(StackOptionsError) {
        guard ttlSeconds >= 0 else {
            throw .init("--cache-ttl \(ttlSeconds) is negative; use seconds >= 0 (0 = entries never expire)")
        }
        // Redis refuses an EX whose milliseconds overflow, so a huge TTL would cache nothing.
        guard ttlSeconds <= Self.maxTTLSeconds else {
            throw .init("--cache-ttl \(ttlSeconds) is more than \(Self.maxTTLSeconds) s (10 years); "
                + "use 0 for entries that never expire")
        }
        guard instanceCacheMB <= 5_120 else {
            throw .init("--instance-cache-mb \(instanceCacheMB) is more than half of Lambda's largest memory (10240 MB)")
        }
        guard instanceCacheMB >= 0 else {
            throw .init("--instance-cache-mb \(instanceCacheMB) is negative; use megabytes >= 0 (0 = every hit reads Redis)")
        }
        if let memoryMB, instanceCacheMB > memoryMB / 2 {
            throw .init("--instance-cache-mb \(instanceCacheMB) is more than half of --memory \(memoryMB); "
                + "use at most \(memoryMB / 2) or raise --memory")
        }
    }

    /// The handler's environment variables for these settings (lambda/src/config.mjs reads them).
    public var environment: [String: String] {
        [FunctionEnvironment.ttlSeconds: String(ttlSeconds), FunctionEnvironment.localCacheBytes: String(instanceCacheMB * 1_048_576)]
    }
}
