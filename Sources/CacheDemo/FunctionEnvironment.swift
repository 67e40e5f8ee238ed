/// The function's environment variables, named once on this side; lambda/src/config.mjs
/// reads them. The template and `cachedemo local` set them through these names only, and a
/// test holds the two sides to the same list (a name one side knows and the other does not
/// is a setting that silently does nothing).
enum FunctionEnvironment {
    /// The upstream's base URL.
    static let upstreamURL = "EXTERNAL_API_URL"
    /// Put IPv6 addresses first (`--egress ipv6`).
    static let preferIPv6 = "UPSTREAM_PREFER_IPV6"
    static let upstreamTimeoutMs = "UPSTREAM_TIMEOUT_MS"

    /// `rediss://host:port`: the primary or the configuration endpoint.
    static let redisURL = "REDIS_URL"
    /// Speak the cluster protocol (sharded or serverless).
    static let redisCluster = "REDIS_CLUSTER"
    /// ElastiCache Serverless: no WAIT, no CLIENT TRACKING.
    static let redisServerless = "REDIS_SERVERLESS"
    static let authToken = "REDIS_AUTH_TOKEN"
    static let username = "REDIS_USERNAME"
    /// `iam`: sign an IAM auth token with the role's credentials instead of a token.
    static let authMode = "REDIS_AUTH_MODE"
    static let iamCacheName = "REDIS_IAM_CACHE_NAME"
    /// The IAM token names a serverless cache's resource type.
    static let iamServerless = "REDIS_IAM_SERVERLESS"
    static let reauthMs = "REDIS_REAUTH_MS"
    /// The CA of the cache's certificate (`local` only: ElastiCache's is in Node's store).
    static let caFile = "REDIS_CA_FILE"
    static let connectTimeoutMs = "REDIS_CONNECT_TIMEOUT_MS"
    static let commandTimeoutMs = "REDIS_COMMAND_TIMEOUT_MS"
    static let backoffMaxMs = "REDIS_BACKOFF_MAX_MS"

    static let ttlSeconds = "CACHE_TTL_SECONDS"
    static let minTTLSeconds = "CACHE_MIN_TTL_SECONDS"
    static let maxTTLSeconds = "CACHE_MAX_TTL_SECONDS"
    static let negativeTTLSeconds = "CACHE_NEGATIVE_TTL_SECONDS"
    static let staleTTLSeconds = "CACHE_STALE_TTL_SECONDS"
    /// `honor` or `ignore` the upstream's Cache-Control.
    static let cacheControl = "CACHE_CONTROL"
    /// `strip` or `pass` a client's Authorization and Cookie.
    static let clientCredentials = "CLIENT_CREDENTIALS"
    /// Comma-separated, lowercased.
    static let forwardHeaders = "FORWARD_HEADERS"
    static let ignoreQueryParams = "IGNORE_QUERY_PARAMS"
    /// A JSON object of plain headers sent on every upstream call.
    static let upstreamHeaders = "UPSTREAM_HEADERS"
    /// A JSON list of where each secret goes (`{"in": "header" | "query", "name": ...}`),
    /// its value in the variable of the same position in `upstreamSecretValues`.
    static let upstreamSecrets = "UPSTREAM_SECRETS"
    static let upstreamSecretValues = (0..<UpstreamAccess.maxSecrets).map { "UPSTREAM_SECRET_\($0)" }
    /// Where `ssm:` secrets are read: SSM's regional endpoint unless set (the emulator sets its own; the stack never does).
    static let ssmEndpoint = "AWS_ENDPOINT_URL_SSM"
    static let localCacheBytes = "CACHE_LOCAL_MAX_BYTES"
    static let namespace = "CACHE_NAMESPACE"
    static let maxBodyBytes = "CACHE_MAX_BODY_BYTES"

    /// What Lambda itself puts there (the role's credentials and the region): read, never set.
    static let lambdaProvided = ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]

    /// Every name the handler reads.
    static let all: Set<String> = Set([
        upstreamURL, preferIPv6, upstreamTimeoutMs, redisURL, redisCluster, redisServerless, authToken, username, authMode,
        iamCacheName, iamServerless, reauthMs, caFile, connectTimeoutMs, commandTimeoutMs, backoffMaxMs, ttlSeconds,
        localCacheBytes, namespace, maxBodyBytes, minTTLSeconds, maxTTLSeconds, negativeTTLSeconds, staleTTLSeconds, cacheControl,
        clientCredentials, forwardHeaders, ignoreQueryParams, upstreamHeaders, upstreamSecrets, ssmEndpoint,
    ] + upstreamSecretValues + lambdaProvided)
}
