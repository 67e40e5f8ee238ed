import AWS
/// What a user can choose about the stack; the same set drives `template`, `deploy` and `cost`.
public struct StackOptions: Sendable, Equatable {
    public enum Engine: String, CaseIterable, Sendable {
        case redis, valkey
        /// The version used when none is given: the newest each engine offers on ElastiCache.
        public var defaultVersion: String {
            switch self {
            case .redis: return "7.1"
            case .valkey: return "8.0"
            }
        }

        /// The versions ElastiCache offers (DescribeCacheEngineVersions, as cfn-lint records
        /// them) that can do what this stack asks: TLS + AUTH and engine-log delivery, which
        /// Redis OSS has from 6.2 on and Valkey from 7.2.
        public var supportedVersions: [String] {
            switch self {
            case .redis: return ["6.2", "7.0", "7.1"]
            case .valkey: return ["7.2", "8.0", "8.1", "8.2", "9.0"]
            }
        }
    }

    public enum Architecture: String, CaseIterable, Sendable {
        case arm64, x86_64
    }

    /// How the function proves itself to the cache: an AUTH token from Secrets Manager, or
    /// IAM (an RBAC user whose password is a token signed with the function's role).
    public enum CacheAuth: String, CaseIterable, Sendable {
        case token, iam
    }

    /// How the function reaches the upstream from its private subnets.
    public enum Egress: String, CaseIterable, Sendable {
        /// Managed NAT gateways: no upkeep, an SLA, and ~$36 per 30 days each while idle.
        case natGateway = "nat-gateway"
        /// A small EC2 instance per NAT: a few dollars a month, no SLA, the instance's bandwidth.
        case natInstance = "nat-instance"
        /// A dual-stack VPC and an egress-only internet gateway: free while idle; needs an
        /// upstream with an IPv6 address.
        case ipv6
    }

    /// A VPC the stack does not own (`--vpc-id`, `--subnet-ids`): its routes carry egress.
    public struct ExistingNetwork: Sendable, Equatable {
        public var vpcId: String
        public var subnetIds: [String]
        public init(vpcId: String, subnetIds: [String]) {
            self.vpcId = vpcId
            self.subnetIds = subnetIds
        }
    }

    /// What holds the data: one primary (and a replica with --multi-az), a sharded cluster
    /// (cluster mode enabled), or ElastiCache Serverless.
    public enum CacheShape: Equatable, Sendable {
        case primary
        case sharded(shards: Int, replicas: Int)
        case serverless
    }

    public var multiAZ = false
    public var singleNAT = false
    /// 1: one primary, today's stack; 2 or more: cluster mode enabled.
    public var shards = 1
    /// Replicas per shard with --shards; nil: 1 with --multi-az, 0 without.
    public var replicas: Int?
    public var serverless = false
    /// Serverless usage limits (CacheUsageLimits); nil: ElastiCache's own (no limit).
    public var maxDataGB: Int?
    public var maxECPUPerSecond: Int?
    public var egress = Egress.natGateway
    /// The NAT instances' type (`--egress nat-instance`); ARM (Graviton: a1, and families with
    /// a g, like t4g or c7gn) types are cheapest.
    public var natInstanceType = "t4g.nano"
    /// nil: the stack creates its own VPC.
    public var existingNetwork: ExistingNetwork?
    public var engine = Engine.redis
    public var engineVersion: String?
    public var nodeType = "cache.t4g.micro"
    public var caching = CachingOptions()
    public var throttle = ThrottleOptions()
    /// nil: IAM where the engine and version support it, an AUTH token where not (and an
    /// existing stack keeps what it has; see Deployer).
    public var cacheAuth: CacheAuth?
    public var upstreamURL = "https://api.agify.io"
    public var vpcCIDR = "10.10.0.0/16"
    public var runtime = "nodejs24.x"
    public var architecture = Architecture.arm64
    public var memoryMB = 512
    public var timeoutSeconds = 10
    public var logRetentionDays = 30

    public init() {}

    /// The Node.js runtimes Lambda lets a function be created with that the handler runs on.
    public static let runtimes = ["nodejs20.x", "nodejs22.x", "nodejs24.x"]

    /// CloudWatch Logs accepts only these retention periods.
    public static let allowedRetentionDays = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    public var resolvedEngineVersion: String { engineVersion ?? engine.defaultVersion }
    /// ElastiCache takes IAM authentication from Redis OSS 7.0 and Valkey 7.2 on.
    public var supportsIAMAuth: Bool {
        engine == .valkey || CacheShapeChange.versionLess(resolvedEngineVersion, "7.0") == false
    }
    public var resolvedCacheAuth: CacheAuth { cacheAuth ?? (supportsIAMAuth ? .iam : .token) }
    /// Said when the default could not be IAM.
    public var cacheAuthNote: String? {
        guard cacheAuth == nil, !supportsIAMAuth else { return nil }
        return "note: \(engine.rawValue) \(resolvedEngineVersion) has no IAM authentication (Redis OSS 7.0+): "
            + "the cache uses an AUTH token from Secrets Manager (--cache-auth token)"
    }
    public var availabilityZoneCount: Int { multiAZ ? 2 : 1 }
    public var cacheShape: CacheShape {
        get {
            if serverless { return .serverless }
            if shards > 1 { return .sharded(shards: shards, replicas: replicas ?? (multiAZ ? 1 : 0)) }
            return .primary
        }
        set {
            switch newValue {
            case .primary: (serverless, shards, replicas) = (false, 1, nil)
            case .sharded(let n, let r): (serverless, shards, replicas) = (false, n, r)
            case .serverless: (serverless, shards, replicas) = (true, 1, nil)
            }
        }
    }
    /// Private subnets the cache needs: a serverless cache spans at least two AZs, so a
    /// single-AZ stack gets a second private subnet for it alone.
    public var privateSubnetCount: Int { max(availabilityZoneCount, cachePart.minimumAZs) }
    /// The part that builds this cache shape (one primary, sharded, serverless).
    var cachePart: any CachePart { CacheParts.part(for: self) }
    /// NAT gateways or NAT instances, whichever the egress mode uses; none for IPv6 or a VPC of one's own.
    public var natCount: Int {
        guard existingNetwork == nil, egress != .ipv6 else { return 0 }
        return multiAZ && !singleNAT ? 2 : 1
    }
    public var natGatewayCount: Int { egress == .natGateway ? natCount : 0 }
    public var natInstanceCount: Int { egress == .natInstance ? natCount : 0 }
    /// The function leaves over IPv6 (dual-stack subnets, IPv6 egress rule, IPv6 preferred).
    public var egressOverIPv6: Bool { egress == .ipv6 }
    /// The CPU architecture of the NAT instance type (Graviton families carry a `g`: t4g, c7gn).
    public var natInstanceArchitecture: Architecture {
        let family = natInstanceType.split(separator: ".").first ?? ""
        return UserInput.matches(String(family), #"([a-z]+[0-9]+[a-z]*g[a-z]*|a1)"#) ? .arm64 : .x86_64
    }
    /// Nodes billed by the hour: none for serverless.
    public var cacheNodeCount: Int { cachePart.nodeCount }
    /// Serverless takes a major version: the engine version's first number.
    public var majorEngineVersion: String { String(resolvedEngineVersion.split(separator: ".").first ?? "") }
    public var cachePort: Int { 6379 }
    /// The upstream as the function's egress rules see it; valid once `validate()` passed.
    public var upstream: UpstreamURL { (try? UpstreamURL(upstreamURL)) ?? UpstreamURL.fallback }

    /// Rejects values AWS would reject later, with a message that says what to use instead.
    public func validate() throws(StackOptionsError) {
        guard let block = IPv4Block(vpcCIDR) else {
            throw .init("--vpc-cidr \(UserInput.quoted(vpcCIDR)) is not an IPv4 CIDR block with an aligned base address; "
                + "use one like 10.10.0.0/16")
        }
        guard (16...24).contains(block.prefix) else {
            throw .init("--vpc-cidr \(UserInput.quoted(vpcCIDR)) is a /\(block.prefix); use a /16 to /24 block, e.g. 10.10.0.0/16")
        }
        // cache.<family>.<size>: families like t4g, r7g, m6gd, c7gn; sizes micro to 24xlarge.
        guard UserInput.matches(nodeType, #"cache\.[a-z]{1,4}[0-9]{1,2}[a-z]{0,4}\.(micro|small|medium|large|xlarge|[0-9]{1,3}xlarge)"#)
        else {
            throw .init("--node-type \(UserInput.quoted(nodeType)) is not an ElastiCache node type; use one like cache.t4g.micro or cache.r7g.large")
        }
        if singleNAT && !multiAZ {
            throw .init("--single-nat only applies to a Multi-AZ stack; add --multi-az or drop --single-nat")
        }
        try validateEgress()
        try validateCacheShape()
        if let v = engineVersion, !engine.supportedVersions.contains(v) {
            throw .init("--engine-version \(UserInput.quoted(v)) is not a \(engine.rawValue) version this stack can use on ElastiCache; "
                + "use one of \(engine.supportedVersions.joined(separator: ", "))")
        }
        _ = try UpstreamURL(upstreamURL)
        // ElastiCache takes IAM authentication from Redis OSS 7.0 and Valkey 7.2 on.
        if cacheAuth == .iam, !supportsIAMAuth {
            throw .init("--cache-auth iam needs Redis OSS 7.0 or newer (this is \(resolvedEngineVersion)); "
                + "use --engine-version 7.0 or later, or --cache-auth token")
        }
        guard Self.runtimes.contains(runtime) else {
            throw .init("--runtime \(UserInput.quoted(runtime)) is not a Node.js runtime Lambda offers for this function; use one of "
                + Self.runtimes.joined(separator: ", "))
        }
        guard (128...10240).contains(memoryMB) else {
            throw .init("--memory \(memoryMB) is outside Lambda's 128 to 10240 MB")
        }
        try caching.validate(memoryMB: memoryMB)
        try throttle.validate()
        guard (1...30).contains(timeoutSeconds) else {
            throw .init("--timeout \(timeoutSeconds) is outside 1 to 30 s (API Gateway stops waiting after 30 s)")
        }
        guard Self.allowedRetentionDays.contains(logRetentionDays) else {
            throw .init("--log-retention-days \(logRetentionDays) is not a CloudWatch Logs retention period; use one of "
                + Self.allowedRetentionDays.map(String.init).joined(separator: ", "))
        }
    }

    /// Shards, replicas and serverless, against each other and the layout. ElastiCache's
    /// limits: 1-500 shards and at most 500 nodes, 0-5 replicas per shard, Multi-AZ only
    /// with a replica to fail over to; serverless from Redis OSS 7 and Valkey 7.
    public func validateCacheShape() throws(StackOptionsError) {
        guard (1...500).contains(shards) else { throw .init("--shards \(shards) is outside ElastiCache's 1 to 500 shards") }
        if let replicas {
            guard (0...5).contains(replicas) else { throw .init("--replicas \(replicas) is outside ElastiCache's 0 to 5 per shard") }
            guard shards > 1 else {
                throw .init("--replicas applies to a sharded cluster (--shards 2 or more); one shard has a replica with --multi-az")
            }
            if multiAZ && replicas == 0 {
                throw .init("--multi-az needs a replica to fail over to; use --replicas 1 or more, or drop --multi-az")
            }
        }
        guard cacheNodeCount <= 500 else {
            throw .init("--shards \(shards) with \(replicas ?? (multiAZ ? 1 : 0)) replicas each is \(cacheNodeCount) nodes; "
                + "ElastiCache allows 500 per cluster")
        }
        if !serverless && (maxDataGB != nil || maxECPUPerSecond != nil) {
            throw .init("--max-data-gb and --max-ecpu-per-second are ElastiCache Serverless limits; add --serverless or drop them")
        }
        guard serverless else { return }
        if shards > 1 || replicas != nil {
            throw .init("--serverless scales by itself: drop --shards and --replicas")
        }
        // volatile-lru: a full serverless cache evicts only keys with a TTL, and with none to
        // evict refuses writes (OOM): without a TTL every store would fail once the limit is hit.
        if maxDataGB != nil && caching.ttlSeconds == 0 {
            throw .init("--cache-ttl 0 with --max-data-gb: ElastiCache Serverless evicts only keys with a TTL and, with "
                + "none to evict, refuses writes once the limit is reached; give --cache-ttl above 0 or drop --max-data-gb")
        }
        if let gb = maxDataGB, !(1...5000).contains(gb) {
            throw .init("--max-data-gb \(gb) is outside ElastiCache Serverless's 1 to 5000 GB")
        }
        if let ecpu = maxECPUPerSecond, !(1000...15_000_000).contains(ecpu) {
            throw .init("--max-ecpu-per-second \(ecpu) is outside ElastiCache Serverless's 1000 to 15000000")
        }
        if engine == .redis && majorEngineVersion != "7" {
            throw .init("--serverless runs Redis OSS 7; use --engine-version 7.0 or 7.1 (or --engine valkey)")
        }
        if let own = existingNetwork, own.subnetIds.count < cachePart.minimumAZs {
            throw .init("--serverless needs subnets in two AZs; give --subnet-ids A,B")
        }
    }

    /// The egress mode, the NAT instance type and a VPC of one's own, against each other.
    private func validateEgress() throws(StackOptionsError) {
        if singleNAT && egress == .ipv6 {
            throw .init("--single-nat has no NAT to share with --egress ipv6; drop --single-nat")
        }
        guard UserInput.matches(natInstanceType, #"[a-z][a-z0-9-]{0,15}\.[a-z0-9]{1,16}"#) else {
            throw .init("--nat-instance-type \(UserInput.quoted(natInstanceType)) is not an EC2 instance type; use one like t4g.nano")
        }
        guard let own = existingNetwork else { return }
        if singleNAT {
            throw .init("--single-nat has no NAT to share with --vpc-id (your VPC's routes carry egress); drop --single-nat")
        }
        guard UserInput.matches(own.vpcId, #"vpc-([0-9a-f]{8}|[0-9a-f]{17})"#) else {
            throw .init("--vpc-id \(UserInput.quoted(own.vpcId)) is not a VPC id; use one like vpc-0123456789abcdef0")
        }
        guard !own.subnetIds.isEmpty else {
            throw .init("--vpc-id needs --subnet-ids: the private subnets (comma-separated) the function and the cache go in")
        }
        for id in own.subnetIds where !UserInput.matches(id, #"subnet-([0-9a-f]{8}|[0-9a-f]{17})"#) {
            throw .init("--subnet-ids: \(UserInput.quoted(id)) is not a subnet id; use ids like subnet-0123456789abcdef0, comma-separated")
        }
        if Set(own.subnetIds).count != own.subnetIds.count {
            throw .init("--subnet-ids names a subnet twice; give each subnet once")
        }
        // Lambda takes at most 16 subnets in a function's VPC configuration.
        guard own.subnetIds.count <= 16 else {
            throw .init("--subnet-ids names \(own.subnetIds.count) subnets; Lambda takes at most 16")
        }
        if multiAZ && own.subnetIds.count < 2 {
            throw .init("--multi-az needs two subnets in different AZs; give --subnet-ids A,B")
        }
    }

    /// The subnets carved out of the VPC block: public ones first, then private, one of each per AZ.
    public var subnetBlocks: (public: [IPv4Block], private: [IPv4Block]) {
        let vpc = IPv4Block(vpcCIDR)!
        let prefix = max(vpc.prefix + 2, min(vpc.prefix + 8, 26))
        return ([vpc.subnet(0, prefix: prefix), vpc.subnet(1, prefix: prefix)],
                [vpc.subnet(2, prefix: prefix), vpc.subnet(3, prefix: prefix)])
    }
}

/// A stack option with a value AWS would not accept.
public struct StackOptionsError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ message: String) { description = message }
}
