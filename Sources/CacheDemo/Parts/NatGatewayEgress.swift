import CloudFormation

/// Managed NAT gateways, one per AZ (or one shared with --single-nat).
struct NatGatewayEgress: EgressPart {
    let options: StackOptions

    func addAddressing(to t: inout Template, vpc: String) -> SubnetIPv6? { nil }

    func addRoutes(to t: inout Template, vpc: String, privateRouteTables: [String]) {
        let tags = CacheStack.tags
        let publicSide = PublicSubnets(options: options).add(to: &t, vpc: vpc)
        var gateways: [String] = []
        for az in 1...options.natCount {
            let eip = t.add("NatEip\(az)", EC2.EIP(tags: Network.named("nat-\(az)") + tags), dependsOn: [publicSide.attachment])
            gateways.append(t.add("NatGateway\(az)", EC2.NatGateway(
                allocationId: .getAtt(eip, "AllocationId"), subnetId: .ref(publicSide.subnets[az - 1]),
                tags: Network.named("nat-\(az)") + tags)))
        }
        for (i, table) in privateRouteTables.enumerated() {
            // With --single-nat every AZ leaves through the first AZ's NAT gateway.
            t.add("PrivateDefaultRoute\(i + 1)", EC2.Route(
                routeTableId: .ref(table), destinationCidrBlock: "0.0.0.0/0",
                natGatewayId: .ref(gateways[min(i, gateways.count - 1)])))
        }
    }
}
