import CloudFormation

/// Where the function and the cache live: a VPC the stack creates, leaving through one of
/// the egress parts, or a VPC the user brings (`--vpc-id`), whose own routes carry egress.
struct Network {
    let options: StackOptions

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
        return CreatedNetwork(options: options, egress: Self.egress(for: options)).add(to: &t)
    }

    /// The part that takes the function's traffic to the upstream.
    static func egress(for options: StackOptions) -> EgressPart {
        switch options.egress {
        case .natGateway: return NatGatewayEgress(options: options)
        case .natInstance: return NatInstanceEgress(options: options)
        case .ipv6: return IPv6Egress(options: options)
        }
    }

    /// A `Name` tag derived from the stack name, so two stacks never share one.
    static func named(_ suffix: String) -> [Tag] { [Tag("Name", .sub("${AWS::StackName}-\(suffix)"))] }
}

/// How the private subnets reach the internet. Each mode is one type: it adds what it needs
/// before the subnets exist (an IPv6 block) and, once the private route tables exist, its
/// gateways or instances and each table's default route.
protocol EgressPart {
    /// Resources the subnets need first; nil when the subnets stay IPv4-only.
    func addAddressing(to t: inout Template, vpc: String) -> SubnetIPv6?
    func addRoutes(to t: inout Template, vpc: String, privateRouteTables: [String])
}

/// The IPv6 /64 each subnet takes from the VPC's Amazon-provided block.
struct SubnetIPv6 {
    /// The VPCCidrBlock the subnets must wait for.
    let block: String
    let subnetCount: Int

    func cidr(forSubnet index: Int) -> Value {
        .select(index, .cidr(.select(0, .getAtt("Vpc", "Ipv6CidrBlocks")), subnetCount, 64))
    }
}

/// The VPC the stack owns: one private subnet and route table per AZ; the egress part does the rest.
struct CreatedNetwork {
    let options: StackOptions
    let egress: EgressPart

    func add(to t: inout Template) -> Network.Ids {
        let tags = CacheStack.tags
        let vpc = t.add("Vpc", EC2.VPC(cidrBlock: .string(options.vpcCIDR), enableDnsSupport: true,
                                       enableDnsHostnames: true, tags: Network.named("vpc") + tags))
        // A stack that left over IPv6 keeps its blocks in the other modes: a subnet cannot
        // give its block up while the function's network interfaces hold addresses from it.
        let ipv6 = egress.addAddressing(to: &t, vpc: vpc)
            ?? (options.keepIPv6Addressing ? IPv6Egress.addBlock(to: &t, vpc: vpc, subnets: options.privateSubnetCount) : nil)
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

    static let imageParameter = "NatImageId"
    /// The SSM public parameters naming the latest Amazon Linux 2023 AMI.
    static func imageSSMParameter(_ architecture: StackOptions.Architecture) -> String {
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-\(architecture.rawValue)"
    }

    func addAddressing(to t: inout Template, vpc: String) -> SubnetIPv6? { nil }

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
            let instance = t.add("NatInstance\(az)", EC2.Instance(
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

    /// The boot script: installs a systemd unit that, at every boot (a reboot or an
    /// automatic recovery keeps the NAT), turns on forwarding and masquerades what comes
    /// from the private subnets out of the instance's default interface (ens5 on Nitro,
    /// found from the route rather than assumed).
    static func userData(source: String) -> String {
        """
        #!/bin/bash
        # cachedemo NAT instance: forward the private subnets' traffic and masquerade it.
        set -euo pipefail
        cat > /usr/local/sbin/cachedemo-nat <<'SCRIPT'
        \(natScript(source: source))
        SCRIPT
        chmod 0755 /usr/local/sbin/cachedemo-nat
        cat > /etc/systemd/system/cachedemo-nat.service <<'UNIT'
        [Unit]
        Description=cachedemo NAT: forward and masquerade the private subnets
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStart=/usr/local/sbin/cachedemo-nat
        Restart=on-failure
        RestartSec=10

        [Install]
        WantedBy=multi-user.target
        UNIT
        systemctl daemon-reload
        systemctl enable --now cachedemo-nat.service

        """
    }

    /// What the unit runs; on its own so a test can run it in a network namespace. It
    /// masquerades the whole VPC block, which never changes: a user data that named each
    /// subnet would change with --multi-az, and EC2 runs user data only at first boot.
    static func natScript(source: String) -> String {
        """
        #!/bin/bash
        set -euo pipefail
        command -v nft >/dev/null || dnf install -y -q nftables
        sysctl -q -w net.ipv4.ip_forward=1
        dev=$(ip -4 route show default | awk '{print $5; exit}')
        nft -f - <<RULES
        table ip cachedemo_nat
        delete table ip cachedemo_nat
        table ip cachedemo_nat {
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            ip saddr \(source) oifname "$dev" masquerade
          }
        }
        RULES
        """
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
    static func egressSummary(_ o: StackOptions) -> String {
        if o.existingNetwork != nil { return o.egressOverIPv6 ? "your VPC, IPv6 egress" : "your VPC's own egress" }
        switch o.egress {
        case .natGateway: return "\(o.natCount) NAT gateway\(o.natCount == 1 ? "" : "s")"
        case .natInstance: return "\(o.natCount) NAT instance\(o.natCount == 1 ? "" : "s")"
        case .ipv6: return "IPv6 egress-only gateway"
        }
    }
}
