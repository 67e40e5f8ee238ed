import CloudFormation

/// A dual-stack VPC leaving through an egress-only internet gateway: IPv6 out, nothing in,
/// no hourly charge, no public IPv4 address. The cache stays on IPv4 inside the VPC.
struct IPv6Egress: EgressPart {
    let options: StackOptions

    func addAddressing(to t: inout Template, vpc: String) -> SubnetIPv6? {
        Self.addBlock(to: &t, vpc: vpc, subnets: options.privateSubnetCount)
    }

    /// The logical id of the VPC's IPv6 block; deploy reads a deployed stack's by it.
    static let blockId = "VpcIpv6CidrBlock"

    /// The VPC's Amazon-provided IPv6 block, and a /64 of it per subnet.
    static func addBlock(to t: inout Template, vpc: String, subnets: Int) -> SubnetIPv6 {
        SubnetIPv6(block: t.add(blockId, EC2.VPCCidrBlock(vpcId: .ref(vpc))), subnetCount: subnets)
    }

    func addRoutes(to t: inout Template, vpc: String, privateRouteTables: [String]) {
        let gateway = t.add("EgressOnlyInternetGateway", EC2.EgressOnlyInternetGateway(
            vpcId: .ref(vpc), tags: Network.named("egress-only") + CacheStack.tags))
        for (i, table) in privateRouteTables.enumerated() {
            // The ::/0 route names no part of the block, so nothing orders it after the block's
            // association: without the dependency CloudFormation may create it first.
            t.add("PrivateIpv6DefaultRoute\(i + 1)", EC2.Route(
                routeTableId: .ref(table), destinationIpv6CidrBlock: "::/0", egressOnlyInternetGatewayId: .ref(gateway)),
                  dependsOn: [Self.blockId])
        }
    }
}
