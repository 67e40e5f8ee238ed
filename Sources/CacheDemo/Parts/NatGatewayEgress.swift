import CloudFormation

/// Managed NAT gateways, one per AZ (or one shared with --single-nat).
struct NatGatewayEgress: EgressPart {
    let options: StackOptions

    static var mode: StackOptions.Egress? { .natGateway }
    static func recognizes(_ resources: [String: Any]) -> Bool { resources["NatGateway1"] != nil }
    static var replacementConsequences: [String: (String, stateful: Bool)] {
        [EC2.NatGateway.type: ("egress to the upstream is cut while the NAT gateway is replaced (misses fail)", false),
         EC2.EIP.type: ("the NAT's public address changes: upstreams that allow-list it must be told", false)]
    }
    static var leakKinds: [LeakKind] {
        [LeakKind(kind: "NAT gateway", billable: true, resourceType: EC2.NatGateway.type) { q, ids, stack in
            try q.liveNatGateways(ids: ids, tagKey: CacheStack.stackTagKey, tagValue: stack)
        }, NatInstanceEgress.addressLeakKind]
    }

    var summary: String { "\(options.natCount) NAT gateway\(options.natCount == 1 ? "" : "s")" }
    var tradeoff: String { "managed NAT with an SLA" }

    /// Per NAT gateway its hours, its address and the data it processes.
    func costLines(region r: PriceTable.Region, usage: CostEstimate.Usage, table: PriceTable.Type) throws(CostError) -> [CostEstimate.Line] {
        let h = CostEstimate.hoursPerMonth, n = Double(options.natGatewayCount)
        return [
            .init(item: "NAT gateway hours", quantity: "\(Int(n)) × \(Int(h)) h", hourly: n * r.natGatewayHour,
                  monthly: n * r.natGatewayHour * h),
            .init(item: "public IPv4 (NAT EIPs)", quantity: "\(Int(n)) × \(Int(h)) h", hourly: n * r.publicIPv4Hour,
                  monthly: n * r.publicIPv4Hour * h),
            .init(item: "NAT data processing", quantity: "\(CostEstimate.format(usage.gbPerMonth)) GB", hourly: 0,
                  monthly: usage.gbPerMonth * r.natGatewayGB),
        ]
    }

    func addAddressing(to t: inout Template, vpc: String) -> SubnetIPv6? { nil }

    func diagramExits(in t: Template) -> EgressDiagram {
        EgressDiagram(inPublicSubnets: t.resources(ofType: EC2.NatGateway.type).compactMap { r in
            guard let n = r.properties as? EC2.NatGateway, let subnet = StackGraph.refName(n.subnetId) else { return nil }
            let eip = StackGraph.attName(n.allocationId)
            return (StackGraph.Node(id: r.logicalId, title: r.logicalId, caption: "NAT gateway" + (eip.map { " + \($0)" } ?? "")), subnet)
        })
    }

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
