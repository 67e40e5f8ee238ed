import AWS

/// How the function caches, wherever it runs: the stack's function and `cachedemo local`
/// take the same settings, through the same environment variables. The rules themselves
/// (RFC 9111 for a shared cache) are lambda/src/policy.mjs's; these are their settings.
public struct CachingOptions: Sendable, Equatable {
    /// Whether the upstream's Cache-Control, Expires and Age count (`honor`), or one fixed
    /// lifetime, `--cache-ttl`, does (`ignore`: for upstreams that send no-cache on everything).
    public enum CacheControl: String, CaseIterable, Sendable { case honor, ignore }
    /// A client's Authorization and Cookie: dropped, the answer shared (`strip`); or sent
    /// upstream, the answer that client's alone (`pass`).
    public enum ClientCredentials: String, CaseIterable, Sendable { case strip, pass }

    /// Seconds an entry lives when the upstream gives no lifetime; 0 = no expiry.
    public var ttlSeconds = 3600
    /// The least and most an upstream-given lifetime is taken as (CloudFront's MinTTL and
    /// MaxTTL); 0 = no bound. Never makes a no-store, private or no-cache answer storable.
    public var minTTLSeconds = 0
    public var maxTTLSeconds = 0
    /// Seconds a 404 or 410 is kept when the upstream gives no lifetime; 0 = not stored.
    public var negativeTTLSeconds = 0
    /// Seconds past freshness a copy still answers when the upstream fails (RFC 5861
    /// stale-if-error; the upstream's own `stale-if-error=N` wins); 0 = never stale.
    public var staleTTLSeconds = CachingOptions.defaultStaleTTLSeconds
    public static let defaultStaleTTLSeconds = 86_400
    public var cacheControl = CacheControl.honor
    public var clientCredentials = ClientCredentials.strip
    /// Request headers sent upstream and made part of the key (lowercased).
    public var forwardHeaders: [String] = []
    /// Query parameters left out of the key and the upstream request (`utm_*`: a prefix).
    public var ignoreQueryParams: [String] = []
    /// Megabytes of entries each function instance keeps in memory, kept coherent by Redis
    /// tracking; 0 = every hit reads Redis.
    public var instanceCacheMB = 16
    /// Settings per path (`--cache-rules FILE`), carried in the zip.
    public var rules = CacheRules()

    public init() {}

    /// CloudFront takes at most 10 headers in a cache policy's key; so does this cache.
    public static let maxForwardHeaders = 10

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
        for (flag, value, zero) in [("--min-ttl", minTTLSeconds, "no bound"), ("--max-ttl", maxTTLSeconds, "no bound"),
                                    ("--negative-ttl", negativeTTLSeconds, "404s are not stored"),
                                    ("--stale-ttl", staleTTLSeconds, "never a stale copy")] {
            guard (0...Self.maxTTLSeconds).contains(value) else {
                throw .init("\(flag) \(value) is outside 0 to \(Self.maxTTLSeconds) s (0 = \(zero))")
            }
        }
        if maxTTLSeconds > 0 && minTTLSeconds > maxTTLSeconds {
            throw .init("--min-ttl \(minTTLSeconds) is more than --max-ttl \(maxTTLSeconds); give a --min-ttl at most --max-ttl")
        }
        try validateForwardHeaders()
        try validateIgnoredParams()
        try rules.validate(over: self)
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

    private func validateForwardHeaders() throws(StackOptionsError) {
        guard forwardHeaders.count <= Self.maxForwardHeaders else {
            throw .init("--forward-header is given \(forwardHeaders.count) times; the key takes at most \(Self.maxForwardHeaders) headers")
        }
        for name in forwardHeaders {
            guard HeaderName.isToken(name) else {
                throw .init("--forward-header \(UserInput.quoted(name)) is not a header name; use one like Accept-Language")
            }
            if ["authorization", "cookie", "proxy-authorization"].contains(name) {
                throw .init("--forward-header \(name) would key the cache on a credential; use --client-credentials pass "
                    + "(forwarded, never shared) instead")
            }
            if HeaderName.notForwardable.contains(name) {
                throw .init("--forward-header \(name) is a header the cache or API Gateway sets itself; forward another one")
            }
        }
        if Set(forwardHeaders).count != forwardHeaders.count { throw .init("--forward-header names a header twice; give each once") }
    }

    private func validateIgnoredParams() throws(StackOptionsError) {
        for name in ignoreQueryParams where !UserInput.matches(name, #"[A-Za-z0-9._~\-\[\]]+\*?|\*"#) || name == "*" {
            throw .init("--ignore-query-param \(UserInput.quoted(name)) is not a query parameter name (letters, digits, . _ ~ - [ ], "
                + "and * only at the end, as in utm_*)")
        }
    }

    /// The handler's environment variables for these settings (lambda/src/config.mjs reads them).
    public var environment: [String: String] {
        var env = [FunctionEnvironment.ttlSeconds: String(ttlSeconds), FunctionEnvironment.localCacheBytes: String(instanceCacheMB * 1_048_576)]
        // Only what differs from the handler's defaults: a template stays as it was for a stack that sets none.
        if minTTLSeconds > 0 { env[FunctionEnvironment.minTTLSeconds] = String(minTTLSeconds) }
        if maxTTLSeconds > 0 { env[FunctionEnvironment.maxTTLSeconds] = String(maxTTLSeconds) }
        if negativeTTLSeconds > 0 { env[FunctionEnvironment.negativeTTLSeconds] = String(negativeTTLSeconds) }
        if staleTTLSeconds != Self.defaultStaleTTLSeconds { env[FunctionEnvironment.staleTTLSeconds] = String(staleTTLSeconds) }
        if cacheControl != .honor { env[FunctionEnvironment.cacheControl] = cacheControl.rawValue }
        if clientCredentials != .strip { env[FunctionEnvironment.clientCredentials] = clientCredentials.rawValue }
        if !forwardHeaders.isEmpty { env[FunctionEnvironment.forwardHeaders] = forwardHeaders.joined(separator: ",") }
        if !ignoreQueryParams.isEmpty { env[FunctionEnvironment.ignoreQueryParams] = ignoreQueryParams.joined(separator: ",") }
        return env
    }
}
