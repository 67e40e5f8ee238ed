/// What a deploy decides about the template and its parameters from the stack it finds, not
/// a user's choice: it never comes from a flag, and `template`, `cost` and `diagram` always
/// render without it.
public struct DeployPlan: Sendable, Equatable {
    /// The first of the two updates that turn a single-AZ cache Multi-AZ (see
    /// CacheShapeChange.replicaFirst): the replica comes with failover still off.
    public var replicaBeforeFailover = false
    /// A stack that left over IPv6 keeps its IPv6 blocks in another egress mode (a subnet
    /// cannot give its block up while the function's network interfaces hold addresses from it).
    public var keepIPv6Addressing = false
    /// The NAT instances' AMI (the NatImageId parameter): the one the stack was created
    /// with, so an unrelated deploy never replaces them (ImageId is create-only); the newest
    /// Amazon Linux 2023 for a new stack, another architecture, or --refresh-nat-ami.
    public var natImage: String?

    public init(replicaBeforeFailover: Bool = false, keepIPv6Addressing: Bool = false) {
        self.replicaBeforeFailover = replicaBeforeFailover
        self.keepIPv6Addressing = keepIPv6Addressing
    }
}
