import Foundation
import Yams

/// What an update does to the cache, decided before any change set: some shape changes
/// work in place, one needs two updates in order, and some would break on AWS (or throw
/// the cache away) and are refused with what to do instead. The emulator accepts all of
/// them; ElastiCache does not.
public enum CacheShapeChange: Equatable, Sendable {
    /// One update does it (or nothing about the cache changes).
    case direct
    /// Single-AZ to Multi-AZ: ElastiCache enables automatic failover only on a group that
    /// already has a replica, and CloudFormation sends both in one ModifyReplicationGroup
    /// ("must have at least one read replica to enable autofailover"). So: first the replica
    /// (and the second AZ) with failover off, then failover and Multi-AZ.
    case replicaFirst
    /// A cluster's shard count changes: AWS strongly recommends NumNodeGroups be the only
    /// change in its stack update (CloudFormation does not roll node-group changes back), so
    /// first the deployed template with only the shards changed, then the rest.
    case reshardFirst(from: Int, to: Int)
    /// Would fail on AWS or replace the cache; the one line says what to do.
    case refused(String)

    /// The cache as the stack's deployed template describes it.
    public struct Deployed: Equatable, Sendable {
        public var nodes: Int
        public var failover: Bool
        public var engine: String
        public var engineVersion: String
        public var vpcCIDR: String?
        /// The VPC the stack was deployed into when it is not its own (`--vpc-id`).
        public var existingVPC: String?
        /// nat-gateway, nat-instance or ipv6; nil in a VPC of one's own.
        public var egress: StackOptions.Egress?
        /// The VPC has an IPv6 block (the stack left over IPv6 at some point).
        public var hasIPv6Block = false
        /// The NAT instances' type, with --egress nat-instance.
        public var natInstanceType: String?
        /// The cache's shape: one primary, shards × replicas, or serverless.
        public var shape: StackOptions.CacheShape = .primary
        /// The cache is reached with a secret from Secrets Manager (an AUTH token, or
        /// serverless's password), not IAM.
        public var hasAuthSecret = false

        /// Read from the deployed template; nil when it is not ours.
        public static func from(template: String) -> Deployed? {
            guard let doc = DeployedTemplate.parse(template),
                  let resources = doc["Resources"] as? [String: Any],
                  let cacheResource = resources[CacheStack.cacheId] as? [String: Any],
                  let cache = cacheResource["Properties"] as? [String: Any],
                  let engine = cache["Engine"] as? String
            else { return nil }
            let version = cache["EngineVersion"] as? String ?? (cache["MajorEngineVersion"] as? String).map { "\($0).0" } ?? ""
            let shape = CacheParts.deployed(resourceType: cacheResource["Type"] as? String ?? "", properties: cache)
            let vpc = ((resources[Network.vpcId] as? [String: Any])?["Properties"] as? [String: Any])?["CidrBlock"] as? String
            let group = (resources[CacheStack.securityGroupId] as? [String: Any])?["Properties"] as? [String: Any]
            let egress: StackOptions.Egress? = vpc == nil ? nil : EgressParts.deployedMode(resources)
            let nat = (resources[NatInstanceEgress.firstInstanceId] as? [String: Any])?["Properties"] as? [String: Any]
            return Deployed(nodes: cache["NumCacheClusters"] as? Int ?? 1, failover: cache["AutomaticFailoverEnabled"] as? Bool ?? false,
                            engine: engine, engineVersion: version, vpcCIDR: vpc,
                            existingVPC: vpc == nil ? group?["VpcId"] as? String : nil, egress: egress,
                            hasIPv6Block: resources[IPv6Egress.blockId] != nil, natInstanceType: nat?["InstanceType"] as? String,
                            shape: shape ?? .primary, hasAuthSecret: resources[CacheAuthPart.secretId] != nil)
        }
    }

    public static func plan(from deployed: Deployed, to target: StackOptions) -> CacheShapeChange {
        if let refusal = shapeRefusal(from: deployed.shape, to: target.cacheShape) { return .refused(refusal) }
        let targetVPC = target.existingNetwork?.vpcId
        if deployed.existingVPC != targetVPC && (deployed.existingVPC != nil || deployed.vpcCIDR != nil) {
            let from = deployed.existingVPC.map { "VPC \($0)" } ?? "its own VPC"
            let to = targetVPC.map { "VPC \($0)" } ?? "a VPC of its own"
            return .refused("the stack runs in \(from); moving it to \(to) would replace the cache (emptied, new endpoint) and "
                + "the function's network, so cachedemo does not do it in place. Deploy a new stack there, or keep "
                + (deployed.existingVPC.map { "--vpc-id \($0)" } ?? "the stack's own VPC (drop --vpc-id)"))
        }
        if let cidr = deployed.vpcCIDR, cidr != target.vpcCIDR {
            return .refused("--vpc-cidr \(target.vpcCIDR) differs from the stack's \(cidr): the VPC's block cannot change, so "
                + "CloudFormation would replace the VPC, the cache (emptied, new endpoint) and the function's network; "
                + "deploy a new stack with it, or keep --vpc-cidr \(cidr)")
        }
        if deployed.engine == "valkey" && target.engine == .redis {
            return .refused("the cache runs valkey; ElastiCache cannot move a cache from Valkey back to Redis OSS. "
                + "Keep --engine valkey, or deploy a new stack")
        }
        if deployed.engine == target.engine.rawValue, let older = versionLess(target.resolvedEngineVersion, deployed.engineVersion), older {
            return .refused("--engine-version \(target.resolvedEngineVersion) is older than the cache's \(deployed.engineVersion); "
                + "ElastiCache cannot downgrade. Use \(deployed.engineVersion) or newer")
        }
        return target.cachePart.change(from: deployed)
    }

    /// Between nodes and serverless, or one primary and a cluster, the cache is another
    /// resource (another type, or cluster mode, which ElastiCache does not switch in place):
    /// refused, with what to do. Shards change in place (online resharding); replicas per shard
    /// are fixed at creation: the change set shows the cluster replaced, and deploy asks twice.
    static func shapeRefusal(from deployed: StackOptions.CacheShape, to target: StackOptions.CacheShape) -> String? {
        var was = StackOptions(), will = StackOptions()
        (was.cache, will.cache) = (.init(deployed), .init(target))
        guard type(of: was.cachePart) != type(of: will.cachePart) else { return nil }
        return "the stack's cache is \(was.cachePart.name); moving it to \(will.cachePart.name) means a new cache (emptied, new "
            + "endpoint) that CloudFormation cannot make in place; deploy a new stack with it, or keep the stack's shape"
    }

    /// What changing the shape within its part does, said before the change set.
    public static func shapeNote(from deployed: Deployed, to target: StackOptions) -> String? {
        target.cachePart.note(changingFrom: deployed)
    }

    /// What switching the way out does to traffic, said before the change set; nil when the
    /// egress stays as it is.
    public static func egressNote(from deployed: Deployed, to target: StackOptions) -> String? {
        guard let before = deployed.egress, target.existingNetwork == nil, before != target.egress else { return nil }
        var note = "switching egress from \(before.rawValue) to \(target.egress.rawValue): CloudFormation builds the new way "
            + "out first and removes the old one last; while the private routes and the function's network move over "
            + "(a few minutes\(target.egress == .natGateway ? ", a NAT gateway takes about two to start" : "")), misses may fail "
            + "with a 502 and hits keep coming from the cache"
        if target.egress == .ipv6 && !deployed.hasIPv6Block {
            note += "; the subnets gain IPv6 blocks in place (the change set marks them Conditional)"
        } else if before == .ipv6 {
            note += "; the VPC and subnets keep their IPv6 blocks (a subnet cannot give its block up while the "
                + "function's network interfaces hold addresses from it)"
        }
        return note
    }

    /// Numeric comparison of dotted versions; nil when either is not numeric.
    static func versionLess(_ a: String, _ b: String) -> Bool? {
        let x = a.split(separator: ".").map { Int($0) }, y = b.split(separator: ".").map { Int($0) }
        guard !x.contains(nil), !y.contains(nil) else { return nil }
        let xs = x.compactMap { $0 }, ys = y.compactMap { $0 }
        return xs.lexicographicallyPrecedes(ys)
    }
}

/// A deployed template as GetTemplate returns it: JSON as deploy sends it, or YAML for a
/// stack created from the committed templates by hand (long-form functions, as rendered).
enum DeployedTemplate {
    static func parse(_ body: String) -> [String: Any]? {
        if let doc = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] { return doc }
        return (try? Yams.load(yaml: body)) as? [String: Any]
    }
}
