import CloudFormation

/// The public side both NAT modes need: an internet gateway and one public subnet per AZ.
struct PublicSubnets {
    let options: StackOptions

    /// Logical ids: the subnets, the gateway attachment anything with a public address waits
    /// for, and what makes each subnet public (its route out, its table association).
    struct Ids {
        let subnets: [String]
        let attachment: String
        let routesOut: [[String]]
    }

    func add(to t: inout Template, vpc: String) -> Ids {
        let tags = CacheStack.tags
        let igw = t.add("InternetGateway", EC2.InternetGateway(tags: tags))
        let attachment = t.add("InternetGatewayAttachment",
                               EC2.VPCGatewayAttachment(vpcId: .ref(vpc), internetGatewayId: .ref(igw)))
        let publicRoutes = t.add("PublicRouteTable", EC2.RouteTable(vpcId: .ref(vpc), tags: Network.named("public") + tags))
        let defaultRoute = t.add("PublicDefaultRoute", EC2.Route(routeTableId: .ref(publicRoutes), destinationCidrBlock: "0.0.0.0/0",
                                                                 gatewayId: .ref(igw)), dependsOn: [attachment])
        var subnets: [String] = [], routesOut: [[String]] = []
        for az in 1...options.availabilityZoneCount {
            let subnet = t.add("PublicSubnet\(az)", EC2.Subnet(
                vpcId: .ref(vpc), cidrBlock: .string(options.subnetBlocks.public[az - 1].description),
                availabilityZone: .select(az - 1, .getAZs("")), mapPublicIpOnLaunch: false,
                tags: Network.named("public-\(az)") + tags))
            let association = t.add("PublicSubnet\(az)RouteTableAssociation",
                                    EC2.SubnetRouteTableAssociation(subnetId: .ref(subnet), routeTableId: .ref(publicRoutes)))
            subnets.append(subnet)
            routesOut.append([defaultRoute, association])
        }
        return Ids(subnets: subnets, attachment: attachment, routesOut: routesOut)
    }
}
