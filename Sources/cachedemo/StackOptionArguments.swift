import Foundation
import ArgumentParser
import CacheDemo

/// The stack options as flags; shared by every command that renders the stack.
struct StackOptionArguments: ParsableArguments {
    @Flag(name: .customLong("multi-az"), help: "Two AZs: a subnet pair and NAT gateway per AZ, a cache primary and replica with automatic failover.")
    var multiAZ = false

    @Flag(name: .customLong("single-nat"), help: "With --multi-az: one shared NAT gateway or instance (cheaper, loses egress if its AZ fails).")
    var singleNAT = false

    @Option(help: ArgumentHelp(
        "How the function reaches the upstream: nat-gateway (managed, ~$36 per 30 days each), nat-instance (a small EC2 instance, a few dollars, no SLA) or ipv6 (egress-only gateway, free while idle; the upstream needs an IPv6 address).",
        valueName: "mode"))
    var egress: StackOptions.Egress?

    @Option(name: .customLong("nat-instance-type"), help: "With --egress nat-instance: the instance type (default t4g.nano).")
    var natInstanceType: String?

    @Option(name: .customLong("vpc-id"), help: "Deploy into this existing VPC (with --subnet-ids): the stack creates no network of its own.")
    var vpcId: String?

    @Option(name: .customLong("subnet-ids"), help: "With --vpc-id: the private subnets for the function and the cache, comma-separated (or the flag repeated: all of them count); each needs a default route (NAT or, with --egress ipv6, an egress-only gateway).")
    var subnetIds: [String] = []

    @OptionGroup var cache: CacheShapeArguments

    @Option(help: "Cache engine: redis or valkey.")
    var engine: StackOptions.Engine = .redis

    @Option(help: "Cache engine version (default: 7.1 for redis, 8.0 for valkey).")
    var engineVersion: String?

    @Option(name: .customLong("cache-auth"),
            help: "How the function authenticates to the cache: iam (an RBAC user, no secret; the default from Redis OSS 7.0 and Valkey 7.2) or token (an AUTH token from Secrets Manager).")
    var cacheAuth: StackOptions.CacheAuth?

    @Option(help: "ElastiCache node type (default cache.t4g.micro).")
    var nodeType: String?

    @OptionGroup var caching: CachingArguments

    @OptionGroup var upstreamAccess: UpstreamAccessArguments

    @OptionGroup var throttle: ThrottleArguments

    @Option(name: .customLong("upstream-url"), help: "The API to cache.")
    var upstreamURL = StackOptions().upstreamURL

    @Option(name: .customLong("vpc-cidr"), help: "The VPC's IPv4 block, /16 to /24; the subnets are carved from it (default 10.10.0.0/16).")
    var vpcCIDR: String?

    @Option(help: "Lambda runtime.")
    var runtime = StackOptions().runtime

    @Option(help: "Lambda architecture: arm64 or x86_64.")
    var architecture: StackOptions.Architecture = .arm64

    @Option(help: "Lambda memory in MB.")
    var memory = StackOptions().memoryMB

    @Option(help: "Lambda timeout in seconds (1-30).")
    var timeout = StackOptions().timeoutSeconds

    @Option(name: .customLong("log-retention-days"), help: "Retention of the stack's log groups, in days.")
    var logRetentionDays = StackOptions().logRetentionDays

    /// The options, validated; a bad value ends the command with one line and exit code 64.
    func stackOptions() throws -> StackOptions {
        var o = StackOptions()
        o.multiAZ = multiAZ
        o.network = try network()
        o.engine = engine
        o.engineVersion = engineVersion
        o.cacheAuth = cacheAuth
        if let nodeType {
            if cache.serverless { throw UsageFailure("--serverless has no nodes to size: drop --node-type") }
            o.nodeType = nodeType
        }
        o.cache = try cache.choice()
        o.caching = try caching.cachingOptions()
        o.upstreamAccess = try upstreamAccess.access()
        o.throttle = throttle.throttleOptions
        o.upstreamURL = upstreamURL
        o.runtime = runtime
        o.architecture = architecture
        o.memoryMB = memory
        o.timeoutSeconds = timeout
        o.logRetentionDays = logRetentionDays
        let validated = try asUsage(o) { try $0.validate() }
        if let note = validated.cacheAuthNote { progress(note) }
        return validated
    }
}

extension StackOptionArguments {
    /// Egress and the VPC: which flags go together is decided here, what each value may be
    /// in `StackOptions.validate()`.
    func network() throws -> StackOptions.Network {
        if natInstanceType != nil && egress != .natInstance {
            throw UsageFailure("--nat-instance-type applies to --egress nat-instance; add it or drop --nat-instance-type")
        }
        guard vpcId != nil || !subnetIds.isEmpty else {
            var net = StackOptions.CreatedNetwork(egress: egress ?? .natGateway, singleNAT: singleNAT)
            if let vpcCIDR { net.cidr = vpcCIDR }
            if let natInstanceType { net.natInstanceType = natInstanceType }
            return .created(net)
        }
        guard let vpcId else { throw UsageFailure("--subnet-ids needs --vpc-id: the VPC the subnets are in") }
        if vpcCIDR != nil {
            throw UsageFailure("--vpc-cidr sizes a VPC the stack creates; with --vpc-id the stack creates none: drop --vpc-cidr")
        }
        if let egress, egress != .ipv6 {
            throw UsageFailure("--egress \(egress.rawValue) builds egress in a VPC the stack creates; with --vpc-id your VPC's "
                + "routes carry it: drop --egress (or use --egress ipv6 for subnets that leave over IPv6)")
        }
        if singleNAT {
            throw UsageFailure("--single-nat has no NAT to share with --vpc-id (your VPC's routes carry egress); drop --single-nat")
        }
        // A repeated flag adds its subnets: argument-parser would otherwise keep only the last.
        let subnets = subnetIds.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return .existing(.init(vpcId: vpcId, subnetIds: subnets == [""] ? [] : subnets, overIPv6: egress == .ipv6))
    }
}

/// The cache's shape as flags: one primary (no flag), `--shards`/`--replicas`, or
/// `--serverless` with its limits. `template`, `deploy`, `cost`, `diagram` and `local` take
/// the same group; what each value may be and what goes with what is checked once, in
/// `StackOptions.validate()`.
struct CacheShapeArguments: ParsableArguments {
    @Option(help: "Shards (cluster mode enabled): 1 is one primary, as without the flag; 2 to 500 shard the data over that many primaries.")
    var shards: Int?

    @Option(help: "With --shards: replicas per shard, 0-5 (default 1 with --multi-az, else 0). Fixed at creation: changing it replaces the cluster.")
    var replicas: Int?

    @Flag(help: "ElastiCache Serverless instead of nodes: scales by itself, billed per GB-hour stored and per ECPU.")
    var serverless = false

    @Option(name: .customLong("max-data-gb"), help: "With --serverless: the most data it may hold, in GB (1-5000).")
    var maxDataGB: Int?

    @Option(name: .customLong("max-ecpu-per-second"), help: "With --serverless: the most ECPUs a second it may use (1000-15000000).")
    var maxECPUPerSecond: Int?

    /// The choice the flags make; flags that belong to another shape are refused here, the
    /// values themselves in `StackOptions.validateCacheShape()`.
    func choice() throws -> StackOptions.Cache {
        if serverless {
            if (shards ?? 1) != 1 || replicas != nil { throw UsageFailure("--serverless scales by itself: drop --shards and --replicas") }
            return .serverless(.init(maxDataGB: maxDataGB, maxECPUPerSecond: maxECPUPerSecond))
        }
        if maxDataGB != nil || maxECPUPerSecond != nil {
            throw UsageFailure("--max-data-gb and --max-ecpu-per-second are ElastiCache Serverless limits; add --serverless or drop them")
        }
        guard let shards, shards != 1 else {
            if replicas != nil {
                throw UsageFailure("--replicas applies to a sharded cluster (--shards 2 or more); one shard has a replica with --multi-az")
            }
            return .primary
        }
        return .sharded(shards: shards, replicas: replicas)
    }
}

/// Options checked by their own rules; a value AWS would refuse is a usage error (64).
func asUsage<T>(_ options: T, _ validate: (T) throws -> Void) throws -> T {
    do { try validate(options) } catch let e as StackOptionsError { throw UsageFailure(e.description) }
    return options
}

/// How the function caches; `template`, `deploy`, `cost` and `local` share these flags.
struct CachingArguments: ParsableArguments {
    @Option(name: .customLong("cache-ttl"), help: "Seconds a cached response lives; 0 = never expires.")
    var cacheTTL = CachingOptions().ttlSeconds

    @Option(name: .customLong("min-ttl"), help: "Seconds an upstream-given lifetime is at least (never makes no-store, private or no-cache storable).")
    var minTTL = 0

    @Option(name: .customLong("max-ttl"), help: "Seconds an upstream-given lifetime is at most; 0 = no bound.")
    var maxTTL = 0

    @Option(name: .customLong("negative-ttl"), help: "Seconds a 404 or 410 is kept when the upstream gives no lifetime; 0 = not stored.")
    var negativeTTL = 0

    @Option(name: .customLong("stale-ttl"),
            help: "Seconds past freshness a copy still answers (x-cache: STALE) when the upstream fails or throttles; 0 = never (default 86400).")
    var staleTTL = CachingOptions.defaultStaleTTLSeconds

    @Option(name: .customLong("cache-control"),
            help: "honor the upstream's Cache-Control, Expires and Age, or ignore them (one fixed --cache-ttl, as for an upstream that says no-cache on everything).")
    var cacheControl = CachingOptions.CacheControl.honor

    @Option(name: .customLong("client-credentials"),
            help: "A client's Authorization and Cookie: strip (not forwarded; the answer is shared) or pass (forwarded; such an answer is never stored or shared).")
    var clientCredentials = CachingOptions.ClientCredentials.strip

    @Option(name: .customLong("forward-header"), help: "A request header sent upstream and made part of the cache key (repeatable, at most 10).")
    var forwardHeaders: [String] = []

    @Option(name: .customLong("ignore-query-param"),
            help: "A query parameter left out of the key and the upstream request (repeatable; utm_* matches a prefix).")
    var ignoreQueryParams: [String] = []

    @Option(name: .customLong("cache-rules"),
            help: "A YAML or JSON file of rules per path (first match wins): path, cache, cache-ttl, min-ttl, max-ttl, negative-ttl, forward-header, ignore-query-param.",
            completion: .file(extensions: ["yaml", "yml", "json"]))
    var cacheRules: String?

    @Option(name: .customLong("instance-cache-mb"),
            help: "MB of responses each function instance keeps in memory, kept coherent by Redis; 0 = every hit reads Redis.")
    var instanceCacheMB = CachingOptions().instanceCacheMB

    func cachingOptions() throws -> CachingOptions {
        var o = CachingOptions()
        if let cacheRules {
            do { o.rules = try CacheRules.load(cacheRules) } catch { throw UsageFailure(error.description) }
        }
        o.ttlSeconds = cacheTTL
        (o.minTTLSeconds, o.maxTTLSeconds, o.negativeTTLSeconds, o.staleTTLSeconds) = (minTTL, maxTTL, negativeTTL, staleTTL)
        (o.cacheControl, o.clientCredentials) = (cacheControl, clientCredentials)
        o.forwardHeaders = forwardHeaders.map { $0.lowercased() }
        o.ignoreQueryParams = ignoreQueryParams
        o.instanceCacheMB = instanceCacheMB
        return o
    }

    /// The settings on their own (`local`: no function memory to weigh them against).
    func validated() throws -> CachingOptions { try asUsage(try cachingOptions()) { try $0.validate() } }
}

/// The HTTP API stage's throttle; `template`, `deploy`, `cost` and `local` share these flags.
struct ThrottleArguments: ParsableArguments {
    @Option(name: .customLong("throttle-rate"),
            help: "Requests per second the API lets through (steady); above it callers get 429. Also caps the bill.",
            transform: DecimalArgument.parse)
    var rate = ThrottleOptions().ratePerSecond

    @Option(name: .customLong("throttle-burst"), help: "Requests the API lets through at once above the steady rate.")
    var burst = ThrottleOptions().burst

    var throttleOptions: ThrottleOptions {
        var o = ThrottleOptions()
        o.ratePerSecond = rate
        o.burst = burst
        return o
    }

    /// The settings on their own (`local`).
    func validated() throws -> ThrottleOptions { try asUsage(throttleOptions) { try $0.validate() } }
}

/// What the function adds to every upstream request; `template`, `deploy`, `cost` and `local` share these flags.
struct UpstreamAccessArguments: ParsableArguments {
    @Option(name: .customLong("upstream-header"),
            help: ArgumentHelp("A plain header sent on every upstream call, 'Name: value' (repeatable); credentials go in --upstream-secret.", valueName: "header"))
    var headers: [String] = []

    @Option(name: .customLong("upstream-secret"),
            help: ArgumentHelp("A header whose value is a secret, 'Name=secretsmanager:<name or ARN>[#<json key>]' (local: env:<VAR> or file:<path>); repeatable.", valueName: "name=source"))
    var secretHeaders: [String] = []

    @Option(name: .customLong("upstream-secret-query"),
            help: ArgumentHelp("A query parameter whose value is a secret, 'param=SOURCE' as for --upstream-secret; repeatable.", valueName: "param=source"))
    var secretQuery: [String] = []

    /// Parsed; what each may be is `UpstreamAccess.validate`'s (a stack's or local's sources).
    func access() throws -> UpstreamAccess {
        var a = UpstreamAccess()
        do {
            a.headers = try headers.map(UpstreamAccess.header)
            a.secrets = try secretHeaders.map { try UpstreamAccess.secret($0, place: .header) }
                + secretQuery.map { try UpstreamAccess.secret($0, place: .query) }
        } catch let e as StackOptionsError { throw UsageFailure(e.description) }
        return a
    }
}

extension StackOptions.Engine: ExpressibleByArgument {}
extension CachingOptions.CacheControl: ExpressibleByArgument {}
extension CachingOptions.ClientCredentials: ExpressibleByArgument {}
extension StackOptions.Egress: ExpressibleByArgument {}
extension StackOptions.CacheAuth: ExpressibleByArgument {}
extension StackOptions.Architecture: ExpressibleByArgument {}
