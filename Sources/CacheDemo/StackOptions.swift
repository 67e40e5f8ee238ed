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

    /// The network the stack runs in: one it creates (its block, how it leaves, NATs), or a
    /// VPC of your own, whose routes carry egress. Only what each kind has can be said.
    public enum Network: Sendable, Equatable {
        case created(CreatedNetwork)
        case existing(ExistingNetwork)
    }

    /// A VPC the stack creates (`--vpc-cidr`, `--egress`, `--single-nat`, `--nat-instance-type`).
    public struct CreatedNetwork: Sendable, Equatable {
        public var cidr = "10.10.0.0/16"
        public var egress = Egress.natGateway
        /// With Multi-AZ: one NAT for both AZs.
        public var singleNAT = false
        /// The NAT instances' type (`--egress nat-instance`); ARM (Graviton: a1, and families
        /// with a g, like t4g or c7gn) types are cheapest.
        public var natInstanceType = "t4g.nano"
        public init(cidr: String = "10.10.0.0/16", egress: Egress = .natGateway, singleNAT: Bool = false,
                    natInstanceType: String = "t4g.nano") {
            (self.cidr, self.egress, self.singleNAT, self.natInstanceType) = (cidr, egress, singleNAT, natInstanceType)
        }
    }

    /// A VPC the stack does not own (`--vpc-id`, `--subnet-ids`): its routes carry egress,
    /// over IPv6 with `--egress ipv6`.
    public struct ExistingNetwork: Sendable, Equatable {
        public var vpcId: String
        public var subnetIds: [String]
        public var overIPv6: Bool
        public init(vpcId: String, subnetIds: [String], overIPv6: Bool = false) {
            self.vpcId = vpcId
            self.subnetIds = subnetIds
            self.overIPv6 = overIPv6
        }
    }

    /// The cache a user chose: one primary (and a replica with --multi-az), a sharded
    /// cluster (cluster mode enabled; replicas nil: 1 with --multi-az, else 0), or ElastiCache
    /// Serverless with its usage limits.
    public enum Cache: Sendable, Equatable {
        case primary
        case sharded(shards: Int, replicas: Int?)
        case serverless(ServerlessLimits)

        /// The choice that builds a shape (a deployed one, or local's), with no limits.
        public init(_ shape: CacheShape) {
            switch shape {
            case .primary: self = .primary
            case .sharded(let shards, let replicas): self = .sharded(shards: shards, replicas: replicas)
            case .serverless: self = .serverless(.init())
            }
        }
    }

    /// Serverless usage limits (CacheUsageLimits); nil: ElastiCache's own (no limit).
    public struct ServerlessLimits: Sendable, Equatable {
        public var maxDataGB: Int?
        public var maxECPUPerSecond: Int?
        public init(maxDataGB: Int? = nil, maxECPUPerSecond: Int? = nil) {
            (self.maxDataGB, self.maxECPUPerSecond) = (maxDataGB, maxECPUPerSecond)
        }
    }

    /// What is built, as a deployed template shows it: replicas resolved, no limits.
    public enum CacheShape: Equatable, Sendable {
        case primary
        case sharded(shards: Int, replicas: Int)
        case serverless
    }

    public var multiAZ = false
    public var cache = Cache.primary
    public var network = Network.created(CreatedNetwork())
    public var engine = Engine.redis
    public var engineVersion: String?
    public var nodeType = "cache.t4g.micro"
    public var caching = CachingOptions()
    public var upstreamAccess = UpstreamAccess()
    public var throttle = ThrottleOptions()
    /// nil: IAM where the engine and version support it, an AUTH token where not (and an
    /// existing stack keeps what it has; see Deployer).
    public var cacheAuth: CacheAuth?
    public var upstreamURL = "https://api.agify.io"
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
        switch cache {
        case .primary: return .primary
        case .sharded(let shards, let replicas): return .sharded(shards: shards, replicas: replicas ?? (multiAZ ? 1 : 0))
        case .serverless: return .serverless
        }
    }

    // What the choices imply, for the code that reads one of them.
    public var serverless: Bool { if case .serverless = cache { return true } else { return false } }
    public var serverlessLimits: ServerlessLimits? { if case .serverless(let l) = cache { return l } else { return nil } }
    public var shards: Int { if case .sharded(let n, _) = cache { return n } else { return 1 } }
    /// Replicas per shard as given (nil: the default for the layout).
    public var replicas: Int? { if case .sharded(_, let r) = cache { return r } else { return nil } }
    public var existingNetwork: ExistingNetwork? { if case .existing(let own) = network { return own } else { return nil } }
    public var createdNetwork: CreatedNetwork? { if case .created(let net) = network { return net } else { return nil } }
    /// The egress mode the stack builds; in a VPC of your own, ipv6 when its subnets leave
    /// over IPv6 and otherwise the default (your routes decide, nothing is built).
    public var egress: Egress {
        switch network {
        case .created(let net): return net.egress
        case .existing(let own): return own.overIPv6 ? .ipv6 : .natGateway
        }
    }
    public var singleNAT: Bool { createdNetwork?.singleNAT ?? false }
    public var vpcCIDR: String { createdNetwork?.cidr ?? CreatedNetwork().cidr }
    public var natInstanceType: String { createdNetwork?.natInstanceType ?? CreatedNetwork().natInstanceType }
    /// Changes what the stack creates; a VPC of your own has no such choice and is left alone.
    public mutating func withCreatedNetwork(_ change: (inout CreatedNetwork) -> Void) {
        guard case .created(var net) = network else { return }
        change(&net)
        network = .created(net)
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
        if let net = createdNetwork {
            guard let block = IPv4Block(net.cidr) else {
                throw .init("--vpc-cidr \(UserInput.quoted(net.cidr)) is not an IPv4 CIDR block with an aligned base address; "
                    + "use one like 10.10.0.0/16")
            }
            guard (16...24).contains(block.prefix) else {
                throw .init("--vpc-cidr \(UserInput.quoted(net.cidr)) is a /\(block.prefix); use a /16 to /24 block, e.g. 10.10.0.0/16")
            }
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
        try upstreamAccess.validate(local: false, forwardHeaders: caching.forwardHeaders)
        // The function reads SSM at start through its way out; an IPv6-only one reaches only
        // services with an IPv6 endpoint, which this tool does not rely on SSM having.
        if !upstreamAccess.ssmParameters.isEmpty && egress == .ipv6 && existingNetwork == nil {
            throw .init("--upstream-secret ssm: is read by the function at start, and --egress ipv6 has no IPv4 way out to "
                + "SSM; use secretsmanager:NAME (resolved by CloudFormation), or --egress nat-instance")
        }
        try throttle.validate()
        guard (1...30).contains(timeoutSeconds) else {
            throw .init("--timeout \(timeoutSeconds) is outside 1 to 30 s (API Gateway stops waiting after 30 s)")
        }
        guard Self.allowedRetentionDays.contains(logRetentionDays) else {
            throw .init("--log-retention-days \(logRetentionDays) is not a CloudWatch Logs retention period; use one of "
                + Self.allowedRetentionDays.map(String.init).joined(separator: ", "))
        }
    }

    /// The cache against its own limits and the layout. ElastiCache's limits: 1-500 shards
    /// and at most 500 nodes, 0-5 replicas per shard, Multi-AZ only with a replica to fail
    /// over to; serverless from Redis OSS 7 and Valkey 7. Which flags make which choice is
    /// `CacheShapeArguments`'s (a choice cannot hold --replicas without shards).
    public func validateCacheShape() throws(StackOptionsError) {
        switch cache {
        case .primary: return
        case .sharded(let shards, let replicas):
            guard (1...500).contains(shards) else { throw .init("--shards \(shards) is outside ElastiCache's 1 to 500 shards") }
            if let replicas {
                guard (0...5).contains(replicas) else { throw .init("--replicas \(replicas) is outside ElastiCache's 0 to 5 per shard") }
                if multiAZ && replicas == 0 {
                    throw .init("--multi-az needs a replica to fail over to; use --replicas 1 or more, or drop --multi-az")
                }
            }
            guard cacheNodeCount <= 500 else {
                throw .init("--shards \(shards) with \(replicas ?? (multiAZ ? 1 : 0)) replicas each is \(cacheNodeCount) nodes; "
                    + "ElastiCache allows 500 per cluster")
            }
        case .serverless(let limits):
            // volatile-lru: a full serverless cache evicts only keys with a TTL, and with none to
            // evict refuses writes (OOM): without a TTL every store would fail once the limit is hit.
            if limits.maxDataGB != nil && caching.ttlSeconds == 0 {
                throw .init("--cache-ttl 0 with --max-data-gb: ElastiCache Serverless evicts only keys with a TTL and, with "
                    + "none to evict, refuses writes once the limit is reached; give --cache-ttl above 0 or drop --max-data-gb")
            }
            if let gb = limits.maxDataGB, !(1...5000).contains(gb) {
                throw .init("--max-data-gb \(gb) is outside ElastiCache Serverless's 1 to 5000 GB")
            }
            if let ecpu = limits.maxECPUPerSecond, !(1000...15_000_000).contains(ecpu) {
                throw .init("--max-ecpu-per-second \(ecpu) is outside ElastiCache Serverless's 1000 to 15000000")
            }
            if engine == .redis && majorEngineVersion != "7" {
                throw .init("--serverless runs Redis OSS 7; use --engine-version 7.0 or 7.1 (or --engine valkey)")
            }
            if let own = existingNetwork, own.subnetIds.count < cachePart.minimumAZs {
                throw .init("--serverless needs subnets in two AZs; give --subnet-ids A,B")
            }
        }
    }

    /// The network's values against each other and the layout.
    private func validateEgress() throws(StackOptionsError) {
        switch network {
        case .created(let net):
            if net.singleNAT && net.egress == .ipv6 {
                throw .init("--single-nat has no NAT to share with --egress ipv6; drop --single-nat")
            }
            guard UserInput.matches(net.natInstanceType, #"[a-z][a-z0-9-]{0,15}\.[a-z0-9]{1,16}"#) else {
                throw .init("--nat-instance-type \(UserInput.quoted(net.natInstanceType)) is not an EC2 instance type; use one like t4g.nano")
            }
        case .existing(let own):
            try Self.validate(own, multiAZ: multiAZ)
        }
    }

    private static func validate(_ own: ExistingNetwork, multiAZ: Bool) throws(StackOptionsError) {
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
