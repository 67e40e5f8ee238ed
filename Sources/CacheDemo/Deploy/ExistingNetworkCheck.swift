import AWS

/// Before deploying into a VPC the stack does not own (`--vpc-id`, `--subnet-ids`): asks
/// EC2 whether the function could reach the upstream from there, and refuses with the one
/// thing that is missing. CloudFormation would otherwise create a function that times out
/// on every miss, or fail half-way with a message about something else.
public struct ExistingNetworkCheck: Sendable {
    let ec2: EC2Network

    public init(client: AWSClient) { ec2 = EC2Network(client: client) }

    public func check(_ options: StackOptions) throws {
        guard let own = options.existingNetwork else { return }
        let region = ec2.client.region
        guard try ec2.vpcExists(own.vpcId) else {
            throw DeployError(.failed, "--vpc-id: there is no VPC \(own.vpcId) in \(region) for this account; check the id and --region")
        }
        var subnets: [EC2Network.Subnet] = []
        for id in own.subnetIds {
            guard let subnet = try ec2.subnet(id) else {
                throw DeployError(.failed, "--subnet-ids: there is no subnet \(id) in \(region) for this account; check the id")
            }
            guard subnet.vpcId == own.vpcId else {
                throw DeployError(.failed, "--subnet-ids: subnet \(id) is in \(subnet.vpcId), not in \(own.vpcId); "
                    + "give subnets of the VPC --vpc-id names")
            }
            if options.egressOverIPv6 && !subnet.hasIPv6 {
                throw DeployError(.failed, "--subnet-ids: subnet \(id) has no IPv6 block, and --egress ipv6 needs dual-stack "
                    + "subnets; give dual-stack subnets, or drop --egress ipv6")
            }
            subnets.append(subnet)
        }
        // The zones the private subnets must span: the layout's, or more where the cache needs them.
        if options.privateSubnetCount > 1, Set(subnets.map(\.availabilityZone)).count < options.privateSubnetCount {
            throw DeployError(.failed, "\(options.serverless ? "--serverless" : "--multi-az") needs subnets in two availability zones; \(own.subnetIds.joined(separator: ", ")) "
                + "are all in \(subnets.first?.availabilityZone ?? "one zone"); add a subnet in another zone")
        }
        let tables = try ec2.routeTables(vpcId: own.vpcId)
        for subnet in subnets {
            try checkDefaultRoute(of: subnet, tables: tables, ipv6: options.egressOverIPv6)
        }
    }

    /// The subnet's own route table, or the VPC's main table when it has none, must send
    /// the default route somewhere that forwards for an address with no public IP.
    func checkDefaultRoute(of subnet: EC2Network.Subnet, tables: [EC2Network.RouteTable], ipv6: Bool) throws {
        guard let table = tables.first(where: { $0.subnetIds.contains(subnet.id) }) ?? tables.first(where: \.main) else {
            throw DeployError(.failed, "subnet \(subnet.id) has no route table, and its VPC has no main route table")
        }
        let whose = table.subnetIds.contains(subnet.id) ? "its route table \(table.id)" : "the VPC's main route table \(table.id)"
        let destination = ipv6 ? "::/0" : "0.0.0.0/0"
        guard let route = table.routes.first(where: { $0.destination == destination }) else {
            throw DeployError(.failed, "subnet \(subnet.id) has no default route (\(whose) has no \(destination) route), so the "
                + "function could not reach the upstream; "
                + (ipv6 ? "add ::/0 to an egress-only internet gateway" : "add 0.0.0.0/0 to a NAT gateway or instance")
                + ", or give other --subnet-ids")
        }
        guard route.active else {
            throw DeployError(.failed, "subnet \(subnet.id): \(whose) sends \(destination) to \(route.target), which is gone "
                + "(a blackhole route); fix the route or give other --subnet-ids")
        }
        let forwards = ipv6 ? ["eigw-"] : ["nat-", "i-", "tgw-", "vpce-", "eni-"]
        guard forwards.contains(where: route.target.hasPrefix) else {
            let why = route.target.hasPrefix("igw-")
                ? "an internet gateway, which forwards only for addresses with a public IP, and the function has none"
                : "\(route.target.isEmpty ? "a target cachedemo does not know" : route.target), which is not a NAT, a transit "
                    + "gateway or a firewall endpoint"
            throw DeployError(.failed, "subnet \(subnet.id): \(whose) sends \(destination) to \(why); "
                + "give private subnets whose default route goes to "
                + (ipv6 ? "an egress-only internet gateway" : "a NAT gateway or NAT instance"))
        }
    }
}
