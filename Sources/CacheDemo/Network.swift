import CloudFormation

/// The VPC: public subnets with NAT gateways, private subnets for the function and the cache.
struct Network {
    let options: StackOptions

    /// Logical ids of what the rest of the stack attaches to.
    struct Ids {
        let vpc: String
        let privateSubnets: [String]
    }

    func add(to t: inout Template) -> Ids {
        let tags = CacheStack.tags
        let vpc = t.add("Vpc", EC2.VPC(cidrBlock: .string(options.vpcCIDR), enableDnsSupport: true,
                                       enableDnsHostnames: true, tags: named("vpc") + tags))
        let igw = t.add("InternetGateway", EC2.InternetGateway(tags: tags))
        let attachment = t.add("InternetGatewayAttachment",
                               EC2.VPCGatewayAttachment(vpcId: .ref(vpc), internetGatewayId: .ref(igw)))
        let publicRoutes = t.add("PublicRouteTable", EC2.RouteTable(vpcId: .ref(vpc), tags: named("public") + tags))
        t.add("PublicDefaultRoute", EC2.Route(routeTableId: .ref(publicRoutes), destinationCidrBlock: "0.0.0.0/0",
                                              gatewayId: .ref(igw)), dependsOn: [attachment])

        let blocks = options.subnetBlocks
        var natGateways: [String] = []
        var privateSubnets: [String] = []
        for az in 1...options.availabilityZoneCount {
            let zone = Value.select(az - 1, .getAZs(""))
            let publicSubnet = t.add("PublicSubnet\(az)", EC2.Subnet(
                vpcId: .ref(vpc), cidrBlock: .string(blocks.public[az - 1].description), availabilityZone: zone,
                mapPublicIpOnLaunch: false, tags: named("public-\(az)") + tags))
            t.add("PublicSubnet\(az)RouteTableAssociation",
                  EC2.SubnetRouteTableAssociation(subnetId: .ref(publicSubnet), routeTableId: .ref(publicRoutes)))
            if az <= options.natGatewayCount {
                let eip = t.add("NatEip\(az)", EC2.EIP(tags: named("nat-\(az)") + tags), dependsOn: [attachment])
                natGateways.append(t.add("NatGateway\(az)", EC2.NatGateway(
                    allocationId: .getAtt(eip, "AllocationId"), subnetId: .ref(publicSubnet),
                    tags: named("nat-\(az)") + tags)))
            }
            let privateSubnet = t.add("PrivateSubnet\(az)", EC2.Subnet(
                vpcId: .ref(vpc), cidrBlock: .string(blocks.private[az - 1].description), availabilityZone: zone,
                mapPublicIpOnLaunch: false, tags: named("private-\(az)") + tags))
            privateSubnets.append(privateSubnet)
            let privateRoutes = t.add("PrivateRouteTable\(az)",
                                      EC2.RouteTable(vpcId: .ref(vpc), tags: named("private-\(az)") + tags))
            // With --single-nat every AZ leaves through the first AZ's NAT gateway.
            t.add("PrivateDefaultRoute\(az)", EC2.Route(
                routeTableId: .ref(privateRoutes), destinationCidrBlock: "0.0.0.0/0",
                natGatewayId: .ref(natGateways[min(az, natGateways.count) - 1])))
            t.add("PrivateSubnet\(az)RouteTableAssociation",
                  EC2.SubnetRouteTableAssociation(subnetId: .ref(privateSubnet), routeTableId: .ref(privateRoutes)))
        }
        return Ids(vpc: vpc, privateSubnets: privateSubnets)
    }

    /// A `Name` tag derived from the stack name, so two stacks never share one.
    private func named(_ suffix: String) -> [Tag] { [Tag("Name", .sub("${AWS::StackName}-\(suffix)"))] }
}
