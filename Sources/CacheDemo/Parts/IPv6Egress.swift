import CloudFormation

/// A dual-stack VPC leaving through an egress-only internet gateway: IPv6 out, nothing in,
/// no hourly charge, no public IPv4 address. The cache stays on IPv4 inside the VPC.
struct IPv6Egress: EgressPart {
    let options: StackOptions

    static var mode: StackOptions.Egress? { .ipv6 }
    static func recognizes(_ resources: [String: Any]) -> Bool { resources[gatewayId] != nil }
    static let gatewayId = "EgressOnlyInternetGateway"
    static var replacementConsequences: [String: (String, stateful: Bool)] {
        [EC2.EgressOnlyInternetGateway.type: ("IPv6 egress to the upstream is cut while the gateway is replaced (misses fail)", false)]
    }
    static var leakKinds: [LeakKind] {
        [LeakKind(kind: "egress-only internet gateway", billable: false, resourceType: EC2.EgressOnlyInternetGateway.type) { q, ids, _ in
            try q.egressOnlyGateways(ids)
        }]
    }

    var summary: String { "IPv6 egress-only gateway" }
    var tradeoff: String { "upstream must have an IPv6 address" }

    /// An egress-only gateway costs nothing.
    func costLines(region: PriceTable.Region, usage: CostEstimate.Usage, table: PriceTable.Type) throws(CostError) -> [CostEstimate.Line] {
        [.init(item: "egress-only internet gateway", quantity: "1 (no charge)", hourly: 0, monthly: 0)]
    }

    func diagramExits(in t: Template) -> EgressDiagram {
        EgressDiagram(gateway: t.resources(ofType: EC2.EgressOnlyInternetGateway.type).first.map {
            StackGraph.Node(id: $0.logicalId, title: $0.logicalId, caption: "egress-only internet gateway (IPv6 out)")
        })
    }

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
        let gateway = t.add(Self.gatewayId, EC2.EgressOnlyInternetGateway(
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
