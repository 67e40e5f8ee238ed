import AWS
import CloudFormation

/// One small EC2 instance per NAT doing what a NAT gateway does: a few dollars a month
/// instead of ~$32, with no SLA and the instance's own bandwidth.
///
/// Two traps it is built around. Its AMI comes in as the `NatImageId` parameter, which
/// deploy resolves once and then keeps (ImageId is create-only: a new AMI on an unrelated
/// deploy would replace the instance and cut egress). And Amazon Linux 2023 ships neither
/// iptables nor (on every variant) nftables, so the instance gets its public address at
/// launch and installs nftables itself before it forwards anything.
struct NatInstanceEgress: EgressPart {
    let options: StackOptions

    static var mode: StackOptions.Egress? { .natInstance }
    /// The first NAT instance's logical id; deploy reads a deployed stack's type by it.
    static let firstInstanceId = "NatInstance1"
    static func recognizes(_ resources: [String: Any]) -> Bool { resources[firstInstanceId] != nil }
    static var replacementConsequences: [String: (String, stateful: Bool)] {
        [EC2.Instance.type: ("egress to the upstream is cut while the NAT instance is replaced and boots again (misses fail)", false),
         EC2.EIP.type: ("the NAT's public address changes: upstreams that allow-list it must be told", false)]
    }
    /// Both NAT modes hold an Elastic IP that bills while it exists.
    static let addressLeakKind = LeakKind(kind: "Elastic IP", billable: true, resourceType: EC2.EIP.type) { q, ids, stack in
        try q.elasticIPs(allocationIds: ids, tagKey: CacheStack.stackTagKey, tagValue: stack)
    }
    static var leakKinds: [LeakKind] {
        [LeakKind(kind: "NAT instance", billable: true, resourceType: EC2.Instance.type) { q, ids, stack in
            try q.liveInstances(ids: ids, tagKey: CacheStack.stackTagKey, tagValue: stack)
        }, addressLeakKind]
    }

    var summary: String { "\(options.natCount) NAT instance\(options.natCount == 1 ? "" : "s")" }
    var tradeoff: String { "NAT instance: no SLA, its bandwidth, AMI updates yours" }

    /// Per NAT instance its hours, its address and its root volume.
    func costLines(region r: PriceTable.Region, usage: CostEstimate.Usage, table: PriceTable.Type) throws(CostError) -> [CostEstimate.Line] {
        guard let base = table.instanceHour[options.natInstanceType] else {
            throw CostError("no prices for NAT instance type \(UserInput.quoted(options.natInstanceType)); known: "
                + table.instanceHour.keys.sorted().joined(separator: ", "))
        }
        let h = CostEstimate.hoursPerMonth, n = Double(options.natInstanceCount), hour = base * r.ec2Factor
        let volume = n * table.natRootVolumeGB * r.gp3GBMonth
        return [
            .init(item: "NAT instance hours (\(options.natInstanceType))", quantity: "\(Int(n)) × \(Int(h)) h", hourly: n * hour,
                  monthly: n * hour * h),
            .init(item: "public IPv4 (NAT EIPs)", quantity: "\(Int(n)) × \(Int(h)) h", hourly: n * r.publicIPv4Hour,
                  monthly: n * r.publicIPv4Hour * h),
            .init(item: "NAT instance root volumes (gp3)", quantity: "\(Int(n)) × \(Int(table.natRootVolumeGB)) GB",
                  hourly: volume / h, monthly: volume),
        ]
    }

    static let imageParameter = "NatImageId"
    /// The SSM public parameters naming the latest Amazon Linux 2023 AMI.
    static func imageSSMParameter(_ architecture: StackOptions.Architecture) -> String {
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-\(architecture.rawValue)"
    }

    func addAddressing(to t: inout Template, vpc: String) -> SubnetIPv6? { nil }

    func diagramExits(in t: Template) -> EgressDiagram {
        let addresses = Dictionary(t.resources(ofType: EC2.EIP.type).compactMap { r -> (String, String)? in
            guard let instance = (r.properties as? EC2.EIP)?.instanceId.flatMap(StackGraph.refName) else { return nil }
            return (instance, r.logicalId)
        }, uniquingKeysWith: { a, _ in a })
        return EgressDiagram(inPublicSubnets: t.resources(ofType: EC2.Instance.type).compactMap { r in
            guard let i = r.properties as? EC2.Instance, let subnet = i.networkInterfaces.first.flatMap({ StackGraph.refName($0.subnetId) })
            else { return nil }
            let caption = "NAT instance \(i.instanceType)" + (addresses[r.logicalId].map { " + \($0)" } ?? "")
            return (StackGraph.Node(id: r.logicalId, title: r.logicalId, caption: caption), subnet)
        })
    }

    func addRoutes(to t: inout Template, vpc: String, privateRouteTables: [String]) {
        let tags = CacheStack.tags
        t.parameters[Self.imageParameter] = Parameter(
            .ec2ImageId, description: "Amazon Linux 2023 AMI of the NAT instances (\(Self.imageSSMParameter(options.natInstanceArchitecture))); "
                + "cachedemo deploy resolves it when the stack is created and keeps it (--refresh-nat-ami to move on)",
            allowedPattern: "^ami-([0-9a-f]{8}|[0-9a-f]{17})$", constraintDescription: "an AMI id")
        let publicSide = PublicSubnets(options: options).add(to: &t, vpc: vpc)
        let privateBlocks = options.subnetBlocks.private.prefix(options.availabilityZoneCount).map(\.description)
        let upstreamPort = options.upstream.port
        // Egress: the upstream's port, and HTTPS for the package repositories at first boot.
        let egressPorts = Array(Set([upstreamPort, 443])).sorted()
        let group = t.add("NatInstanceSecurityGroup", EC2.SecurityGroup(
            groupDescription: "cachedemo NAT instance: the private subnets in, the upstream out",
            vpcId: .ref(vpc),
            securityGroupIngress: privateBlocks.map {
                EC2.Rule(port: upstreamPort, cidrIp: .string($0), description: "to the upstream from private subnet \($0)")
            },
            securityGroupEgress: egressPorts.map {
                EC2.Rule(port: $0, cidrIp: "0.0.0.0/0",
                         description: $0 == upstreamPort ? "upstream API" : "package repositories (nftables at first boot)")
            },
            tags: tags))
        var instances: [String] = []
        for az in 1...options.natCount {
            let instance = t.add(az == 1 ? Self.firstInstanceId : "NatInstance\(az)", EC2.Instance(
                imageId: .ref(Self.imageParameter), instanceType: options.natInstanceType,
                networkInterfaces: [.init(subnetId: .ref(publicSide.subnets[az - 1]), groupSet: [.getAtt(group, "GroupId")],
                                          associatePublicIpAddress: true)],
                sourceDestCheck: false, metadataOptions: .init(),
                blockDeviceMappings: [.init(deviceName: "/dev/xvda", ebs: .init())],
                userData: .base64(.string(Self.userData(source: options.vpcCIDR))),
                tags: Network.named("nat-\(az)") + tags),
                // Booted only once its subnet routes out: first boot installs nftables.
                dependsOn: [publicSide.attachment] + publicSide.routesOut[az - 1])
            // Not NatEip<n>: switching from a NAT gateway would otherwise move its address onto the
            // instance while the gateway still holds it, which EC2 refuses.
            t.add("NatInstanceEip\(az)", EC2.EIP(instanceId: .ref(instance), tags: Network.named("nat-\(az)") + tags),
                  dependsOn: [publicSide.attachment])
            instances.append(instance)
        }
        for (i, table) in privateRouteTables.enumerated() {
            // With --single-nat every AZ leaves through the first AZ's instance.
            t.add("PrivateDefaultRoute\(i + 1)", EC2.Route(
                routeTableId: .ref(table), destinationCidrBlock: "0.0.0.0/0",
                instanceId: .ref(instances[min(i, instances.count - 1)])))
        }
    }

    /// The boot script (nat/user-data.sh, carried in the binary): installs a systemd unit
    /// that, at every boot (a reboot or an automatic recovery keeps the NAT), turns on
    /// forwarding and masquerades what comes from the private subnets out of the instance's
    /// default interface (ens5 on Nitro, found from the route rather than assumed).
    static func userData(source: String) -> String {
        embedded("user-data.sh").replacingOccurrences(of: "@NAT_SCRIPT@", with: natScript(source: source))
    }

    /// What the unit runs (nat/cachedemo-nat.sh); on its own so a test can run it in a network
    /// namespace. It masquerades the whole VPC block, which never changes: a user data that
    /// named each subnet would change with --multi-az, and EC2 runs user data only at first boot.
    static func natScript(source: String) -> String {
        embedded("cachedemo-nat.sh").replacingOccurrences(of: "@VPC_CIDR@", with: source)
    }

    /// A file of nat/, as written there less its final line break.
    private static func embedded(_ name: String) -> String {
        let text = EmbeddedLambda.natFiles.first { $0.name == name }?.contents ?? ""
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
