import CloudFormation

/// Where the function and the cache live: a VPC the stack creates, leaving through one of
/// the egress parts, or a VPC the user brings (`--vpc-id`), whose own routes carry egress.
struct Network {
    let options: StackOptions
    let plan: DeployPlan

    /// What the rest of the stack attaches to.
    struct Ids {
        let vpc: Value
        /// Where the cache goes.
        let privateSubnets: [Value]
        /// Where the function goes: the subnets that route out.
        let functionSubnets: [Value]
    }

    func add(to t: inout Template) -> Ids {
        if let own = options.existingNetwork {
            let subnets = own.subnetIds.map { Value.string($0) }
            return Ids(vpc: .string(own.vpcId), privateSubnets: subnets, functionSubnets: subnets)
        }
        return CreatedNetwork(options: options, plan: plan, egress: EgressParts.part(for: options)).add(to: &t)
    }

    /// The VPC's logical id; deploy reads a deployed stack's block by it.
    static let vpcId = "Vpc"

    /// A `Name` tag derived from the stack name, so two stacks never share one.
    static func named(_ suffix: String) -> [Tag] { [Tag("Name", .sub("${AWS::StackName}-\(suffix)"))] }
}

/// How the private subnets reach the internet. Each mode is one type owning everything about
/// itself: what it adds before the subnets exist (an IPv6 block) and, once the private route
/// tables exist, its gateways or instances and each table's default route; its words in the
/// template's description and `cost --compare`, its cost lines, how a deployed template shows
/// it, what replacing its resources loses, and what the leak check asks for.
protocol EgressPart: StackPart {
    init(options: StackOptions)
    /// The mode it is (nil: a VPC of your own, whose routes carry egress).
    static var mode: StackOptions.Egress? { get }
    /// Whether a deployed template's resources are this mode's.
    static func recognizes(_ resources: [String: Any]) -> Bool

    /// Resources the subnets need first; nil when the subnets stay IPv4-only.
    func addAddressing(to t: inout Template, vpc: String) -> SubnetIPv6?
    func addRoutes(to t: inout Template, vpc: String, privateRouteTables: [String])
    /// In a few words, for the template's description and the diagram.
    var summary: String { get }
    /// What the way out costs.
    func costLines(region: PriceTable.Region, usage: CostEstimate.Usage, table: PriceTable.Type) throws(CostError) -> [CostEstimate.Line]
    /// What it gives up, in `cost --compare`.
    var tradeoff: String { get }
    /// What the diagram draws for it, read off the template it built.
    func diagramExits(in t: Template) -> EgressDiagram
}

/// The way out as the diagram draws it: boxes in the public subnets (NATs, by the subnet
/// they sit in), or one gateway box beside the VPC.
struct EgressDiagram {
    var inPublicSubnets: [(node: StackGraph.Node, subnet: String)] = []
    var gateway: StackGraph.Node?
}

/// The one place that lists the ways out.
enum EgressParts {
    static let all: [any EgressPart.Type] = [NatGatewayEgress.self, NatInstanceEgress.self, IPv6Egress.self, OwnVPCEgress.self]

    /// The part for the options: your VPC's own egress, or the mode the stack builds.
    static func part(for o: StackOptions) -> any EgressPart {
        if o.existingNetwork != nil { return OwnVPCEgress(options: o) }
        let type = all.first { $0.mode == o.egress } ?? NatGatewayEgress.self
        return type.init(options: o)
    }

    /// The mode a deployed template's own network leaves by (NAT gateways when it shows none).
    static func deployedMode(_ resources: [String: Any]) -> StackOptions.Egress {
        all.first { $0.mode != nil && $0.recognizes(resources) }?.mode ?? .natGateway
    }

    static var replacementConsequences: [String: (String, stateful: Bool)] { PartList.consequences(all) }
    static var leakKinds: [LeakKind] { PartList.leakKinds(all) }
}

/// The IPv6 /64 each subnet takes from the VPC's Amazon-provided block.
struct SubnetIPv6 {
    /// The VPCCidrBlock the subnets must wait for.
    let block: String
    let subnetCount: Int

    func cidr(forSubnet index: Int) -> Value {
        .select(index, .cidr(.select(0, .getAtt(Network.vpcId, "Ipv6CidrBlocks")), subnetCount, 64))
    }
}

/// The VPC the stack owns: one private subnet and route table per AZ; the egress part does the rest.
struct CreatedNetwork {
    let options: StackOptions
    let plan: DeployPlan
    let egress: any EgressPart

    func add(to t: inout Template) -> Network.Ids {
        let tags = CacheStack.tags
        let vpc = t.add(Network.vpcId, EC2.VPC(cidrBlock: .string(options.vpcCIDR), enableDnsSupport: true,
                                       enableDnsHostnames: true, tags: Network.named("vpc") + tags))
        // A stack that left over IPv6 keeps its blocks in the other modes: a subnet cannot
        // give its block up while the function's network interfaces hold addresses from it.
        let ipv6 = egress.addAddressing(to: &t, vpc: vpc)
            ?? (plan.keepIPv6Addressing ? IPv6Egress.addBlock(to: &t, vpc: vpc, subnets: options.privateSubnetCount) : nil)
        let blocks = options.subnetBlocks
        var privateSubnets: [Value] = []
        var routeTables: [String] = []
        for az in 1...options.privateSubnetCount {
            let privateSubnet = t.add("PrivateSubnet\(az)", EC2.Subnet(
                vpcId: .ref(vpc), cidrBlock: .string(blocks.private[az - 1].description),
                availabilityZone: .select(az - 1, .getAZs("")), mapPublicIpOnLaunch: false,
                ipv6CidrBlock: ipv6?.cidr(forSubnet: az - 1), tags: Network.named("private-\(az)") + tags),
                dependsOn: ipv6.map { [$0.block] } ?? [])
            privateSubnets.append(.ref(privateSubnet))
            // A serverless cache's second AZ in a single-AZ stack: the cache only, no way out.
            guard az <= options.availabilityZoneCount else { continue }
            let privateRoutes = t.add("PrivateRouteTable\(az)",
                                      EC2.RouteTable(vpcId: .ref(vpc), tags: Network.named("private-\(az)") + tags))
            routeTables.append(privateRoutes)
            t.add("PrivateSubnet\(az)RouteTableAssociation",
                  EC2.SubnetRouteTableAssociation(subnetId: .ref(privateSubnet), routeTableId: .ref(privateRoutes)))
        }
        egress.addRoutes(to: &t, vpc: vpc, privateRouteTables: routeTables)
        return Network.Ids(vpc: .ref(vpc), privateSubnets: privateSubnets, functionSubnets: Array(privateSubnets.prefix(routeTables.count)))
    }
}


extension Network {
    /// The function's one egress rule: the upstream's port, to every IPv4 address, or every
    /// IPv6 address when the function leaves over IPv6.
    static func upstreamRule(_ options: StackOptions) -> EC2.Rule {
        let description = "upstream API over \(options.upstream.scheme.uppercased())"
        return options.egressOverIPv6
            ? EC2.Rule(port: options.upstream.port, cidrIpv6: "::/0", description: description + " (IPv6)")
            : EC2.Rule(port: options.upstream.port, cidrIp: "0.0.0.0/0", description: description)
    }

    /// Over IPv6 the function must try the upstream's IPv6 address first: its subnets have
    /// no IPv4 route out, and a connection to an IPv4 address would wait until it timed out.
    static func functionEnvironment(_ options: StackOptions) -> [String: Value] {
        options.egressOverIPv6 ? [FunctionEnvironment.preferIPv6: "1"] : [:]
    }

    /// The egress in a few words, for the template's description and the diagram.
    static func egressSummary(_ o: StackOptions) -> String { EgressParts.part(for: o).summary }
}
