import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// The egress modes against the signature-checking emulator: a VPC of one's own checked with
/// EC2 before anything is deployed (and left as it was by destroy), the NAT instance's AMI
/// kept across deploys, NAT instances in destroy's leak check, and the cheaper shape named
/// at the prompt.
@Suite(.serialized) struct EgressEmulatorTests {
    let emulator = Emulator.shared

    func run(_ args: [String]) throws -> ProcessResult { try cachedemo(args, environment: emulator.environment) }

    @discardableResult
    func ec2(_ action: String, _ parameters: [(String, String)] = []) throws -> XMLElement {
        try emulator.client().query(.ec2, action: action, version: "2016-11-15", parameters: parameters)
    }

    func id(_ xml: XMLElement, _ name: String) throws -> String { try #require(xml.find(name)?.text) }

    /// A VPC as a team would have it: two private subnets in two AZs behind a NAT gateway,
    /// one subnet on the main route table (no default route), one public (internet gateway).
    struct TeamVPC {
        let vpc, privateA, privateB, noRoute, publicSubnet, natGateway, otherVPCSubnet: String
        let routeTables: [String]
    }

    func makeTeamVPC() throws -> TeamVPC {
        let vpc = try id(ec2("CreateVpc", [("CidrBlock", "10.77.0.0/16")]), "vpcId")
        func subnet(_ cidr: String, _ zone: String, in vpcId: String? = nil) throws -> String {
            try id(ec2("CreateSubnet", [("VpcId", vpcId ?? vpc), ("CidrBlock", cidr), ("AvailabilityZone", zone)]), "subnetId")
        }
        let (a, b) = (try subnet("10.77.1.0/24", "us-east-1a"), try subnet("10.77.2.0/24", "us-east-1b"))
        let noRoute = try subnet("10.77.3.0/24", "us-east-1a"), publicSubnet = try subnet("10.77.4.0/24", "us-east-1a")
        let igw = try id(ec2("CreateInternetGateway"), "internetGatewayId")
        try ec2("AttachInternetGateway", [("InternetGatewayId", igw), ("VpcId", vpc)])
        let allocation = try id(ec2("AllocateAddress", [("Domain", "vpc")]), "allocationId")
        let nat = try id(ec2("CreateNatGateway", [("SubnetId", publicSubnet), ("AllocationId", allocation)]), "natGatewayId")
        let natTable = try id(ec2("CreateRouteTable", [("VpcId", vpc)]), "routeTableId")
        try ec2("CreateRoute", [("RouteTableId", natTable), ("DestinationCidrBlock", "0.0.0.0/0"), ("NatGatewayId", nat)])
        for s in [a, b] { try ec2("AssociateRouteTable", [("RouteTableId", natTable), ("SubnetId", s)]) }
        let publicTable = try id(ec2("CreateRouteTable", [("VpcId", vpc)]), "routeTableId")
        try ec2("CreateRoute", [("RouteTableId", publicTable), ("DestinationCidrBlock", "0.0.0.0/0"), ("GatewayId", igw)])
        try ec2("AssociateRouteTable", [("RouteTableId", publicTable), ("SubnetId", publicSubnet)])
        let other = try id(ec2("CreateVpc", [("CidrBlock", "10.78.0.0/16")]), "vpcId")
        return TeamVPC(vpc: vpc, privateA: a, privateB: b, noRoute: noRoute, publicSubnet: publicSubnet, natGateway: nat,
                       otherVPCSubnet: try subnet("10.78.1.0/24", "us-east-1a", in: other), routeTables: [natTable, publicTable])
    }

    @Test func ownVPCIsCheckedUsedAndLeftAsItWas() throws {
        let upstream = try DemoUpstream()
        defer { upstream.stop() }
        let team = try makeTeamVPC()
        let stack = "own-\(UUID().uuidString.prefix(6).lowercased())"
        func deploy(_ flags: [String]) throws -> ProcessResult {
            try run(["deploy", "--stack-name", stack, "--yes", "--upstream-url", upstream.url] + flags)
        }
        // Each missing piece is one line, exit 1, before anything is uploaded or created.
        let refusals: [([String], String)] = [
            (["--vpc-id", "vpc-0123456789abcdef0", "--subnet-ids", team.privateA], "there is no VPC vpc-0123456789abcdef0"),
            (["--vpc-id", team.vpc, "--subnet-ids", "subnet-0123456789abcdef0"], "there is no subnet subnet-0123456789abcdef0"),
            (["--vpc-id", team.vpc, "--subnet-ids", team.otherVPCSubnet], "subnet \(team.otherVPCSubnet) is in vpc-"),
            (["--vpc-id", team.vpc, "--subnet-ids", team.noRoute], "subnet \(team.noRoute) has no default route (the VPC's main route table"),
            (["--vpc-id", team.vpc, "--subnet-ids", team.publicSubnet], "sends 0.0.0.0/0 to an internet gateway"),
            (["--vpc-id", team.vpc, "--subnet-ids", "\(team.privateA),\(team.noRoute)", "--multi-az"], "needs subnets in two availability zones"),
            (["--vpc-id", team.vpc, "--subnet-ids", team.privateA, "--egress", "ipv6", "--skip-ipv6-check"], "has no IPv6 block"),
        ]
        for (flags, says) in refusals {
            let r = try deploy(flags)
            #expect(r.status == 1, "\(flags): \(r.stderr)")
            let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }
            #expect(errors.count == 1 && errors[0].contains(says), "\(flags): \(r.stderr)")
            #expect(!r.stderr.contains("uploaded"), "\(flags): checked after the upload")
        }

        // Multi-AZ in the two private subnets: deployed, served, smoke-tested.
        let ok = try deploy(["--vpc-id", team.vpc, "--subnet-ids", "\(team.privateA),\(team.privateB)", "--multi-az", "--output", "json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any])
        #expect((doc["outputs"] as? [String: String])?["VpcId"] == team.vpc)
        let smoke = try run(["smoke-test", "--stack-name", stack])
        #expect(smoke.status == 0, "\(smoke.stdout)\(smoke.stderr)")
        // Moving it out of the VPC would replace the cache: refused, as a usage mistake.
        let move = try deploy([])
        #expect(move.status == 64 && move.stderr.contains("moving it to a VPC of its own would replace the cache"), "\(move.stderr)")

        let destroyed = try run(["destroy", "--stack-name", stack, "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        // The team's network is as it was.
        let vpcs = try ec2("DescribeVpcs", [("VpcId.1", team.vpc)])
        #expect(vpcs.find("vpcSet")?.all("item").count == 1)
        for s in [team.privateA, team.privateB, team.noRoute, team.publicSubnet] {
            #expect(try ec2("DescribeSubnets", [("SubnetId.1", s)]).find("subnetSet")?.all("item").count == 1, "\(s) is gone")
        }
        let nat = try ec2("DescribeNatGateways", [("NatGatewayId.1", team.natGateway)])
        #expect(nat.find("natGatewaySet")?.all("item").first?.value("state") == "available")
        let tables = try ec2("DescribeRouteTables", [("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", team.vpc)])
        let ids = Set((tables.find("routeTableSet")?.all("item") ?? []).compactMap { $0.value("routeTableId") })
        #expect(ids.isSuperset(of: team.routeTables))
    }

    /// ImageId is create-only: an unrelated deploy must never move the instance to a newer
    /// AMI (that replaces it, an egress outage). Only --refresh-nat-ami does.
    @Test func natInstanceKeepsItsAMIUntilAskedToMove() throws {
        let upstream = try DemoUpstream()
        defer { upstream.stop() }
        let stack = "natami-\(UUID().uuidString.prefix(6).lowercased())"
        let ssm = SSM(client: emulator.client())
        let latest = try ssm.parameter(NatInstanceEgress.imageSSMParameter(.arm64))
        let older = try ssm.parameter(NatInstanceEgress.imageSSMParameter(.x86_64))  // any other real AMI id
        #expect(latest != older)
        let base = ["deploy", "--stack-name", stack, "--yes", "--upstream-url", upstream.url, "--egress", "nat-instance"]
        let created = try run(base + ["--parameter-overrides", "\(NatInstanceEgress.imageParameter)=\(older)"])
        #expect(created.status == 0, "\(created.stderr)")
        func deployedImage() throws -> String? {
            try CloudFormationClient(client: emulator.client()).describeStack(stack)?.parameters[NatInstanceEgress.imageParameter]
        }
        #expect(try deployedImage() == older)

        // A plain redeploy (a TTL change) keeps the AMI: the instance is not touched.
        let plain = try run(base + ["--cache-ttl", "120", "--output", "json"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let changes = try #require((try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])?["changes"] as? [[String: Any]])
        #expect(!changes.contains { ($0["logicalId"] as? String)?.hasPrefix("NatInstance") == true }, "\(changes)")
        #expect(try deployedImage() == older)

        // --refresh-nat-ami moves to the newest AMI, and the change set says the instance is replaced.
        let refresh = try run(base + ["--cache-ttl", "120", "--refresh-nat-ami", "--no-execute", "--output", "json"])
        #expect(refresh.status == 0, "\(refresh.stderr)")
        #expect(refresh.stderr.contains("NAT instance AMI: \(latest)"))
        let planned = try #require((try JSONSerialization.jsonObject(with: Data(refresh.stdout.utf8)) as? [String: Any])?["changes"] as? [[String: Any]])
        #expect(planned.contains { $0["logicalId"] as? String == "NatInstance1" && $0["replacement"] as? String == "True" }, "\(planned)")
        // Another CPU architecture needs another AMI: said, and resolved for it.
        let x86 = try run(base + ["--nat-instance-type", "t3.nano", "--no-execute"])
        #expect(x86.status == 0, "\(x86.stderr)")
        #expect(x86.stderr.contains("note: --nat-instance-type t3.nano is x86_64, the instances run arm64"), "\(x86.stderr)")
        #expect(x86.stderr.contains("NAT instance AMI: \(older) (\(NatInstanceEgress.imageSSMParameter(.x86_64)))"))
        #expect(try run(["destroy", "--stack-name", stack, "--yes"]).status == 0)
    }

    @Test func aNatInstanceLeftBehindIsNamedAndExitsOne() throws {
        let stack = "leakyni-\(UUID().uuidString.prefix(6).lowercased())"
        #expect(try run(["deploy", "--stack-name", stack, "--yes", "--egress", "nat-instance"]).status == 0)
        // An instance made outside the stack, carrying the stack's tag (a hand-made NAT).
        let image = try SSM(client: emulator.client()).parameter(NatInstanceEgress.imageSSMParameter(.arm64))
        let made = try ec2("RunInstances", [("ImageId", image), ("MinCount", "1"), ("MaxCount", "1"), ("InstanceType", "t4g.nano"),
                                            ("TagSpecification.1.ResourceType", "instance"),
                                            ("TagSpecification.1.Tag.1.Key", "cachedemo:stack"), ("TagSpecification.1.Tag.1.Value", stack)])
        let instance = try id(made, "instanceId")
        defer { _ = try? ec2("TerminateInstances", [("InstanceId.1", instance)]) }
        let r = try run(["destroy", "--stack-name", stack, "--yes"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("left behind: NAT instance \(instance) (still billing)"), "\(r.stderr)")
        // The stack's own instance is terminated, so it is not named.
        #expect(r.stderr.components(separatedBy: "left behind: NAT instance").count == 2)
    }

    /// At the prompt: the cheaper egress for the same layout, with what it saves, worked out
    /// here from the price table (a NAT gateway's hours and address against the other mode's).
    @Test func thePromptNamesACheaperEgress() throws {
        let r = try PriceTable.regions["us-east-1"]!
        let h = CostEstimate.hoursPerMonth
        let natGateway = (r.natGatewayHour + r.publicIPv4Hour) * h
        let natInstance = (PriceTable.instanceHour["t4g.nano"]! + r.publicIPv4Hour) * h + PriceTable.natRootVolumeGB * r.gp3GBMonth
        for (upstream, says) in [
            ("http://[::1]:9", String(format: "Cheaper: --egress ipv6 would cost $%.2f less per 30 days (the upstream has an IPv6 address)", natGateway)),
            ("http://127.0.0.1:9", String(format: "Cheaper: --egress nat-instance would cost $%.2f less per 30 days", natGateway - natInstance)),
        ] {
            let stack = "cheap-\(UUID().uuidString.prefix(6).lowercased())"
            let no = try cachedemoOnTerminal(["deploy", "--stack-name", stack, "--upstream-url", upstream], answer: "n",
                                             environment: emulator.environment)
            #expect(no.status == 1)
            #expect(no.stdout.contains(says), "\(no.stdout)")
        }
        // Nothing cheaper to name for a stack that already leaves over IPv6.
        let stack = "cheap-\(UUID().uuidString.prefix(6).lowercased())"
        let ipv6 = try cachedemoOnTerminal(["deploy", "--stack-name", stack, "--upstream-url", "http://[::1]:9", "--egress", "ipv6"],
                                           answer: "n", environment: emulator.environment)
        #expect(ipv6.stdout.contains("Execute this change set?") && !ipv6.stdout.contains("Cheaper:"), "\(ipv6.stdout)")
    }
}

/// One stack through every egress mode and back, Multi-AZ, each step smoke-tested: the
/// updates CloudFormation does in place (routes re-pointed, subnets gaining and losing IPv6
/// blocks, NAT gateways and instances created before the old way out is removed).
@Suite(.serialized) struct EgressSwitchTests {
    let emulator = Emulator.shared

    func run(_ args: [String]) throws -> ProcessResult { try cachedemo(args, environment: emulator.environment) }

    @Test func aStackMovesThroughEveryEgressModeAndBack() throws {
        let upstream = try DemoUpstream(ipv6: true)
        defer { upstream.stop() }
        let stack = "switch-\(UUID().uuidString.prefix(6).lowercased())"
        let ec2 = emulator.client()
        var previous = "nat-gateway"
        for mode in ["nat-gateway", "nat-instance", "ipv6", "nat-gateway", "ipv6", "nat-instance"] {
            let r = try run(["deploy", "--stack-name", stack, "--yes", "--multi-az", "--upstream-url", upstream.url, "--egress", mode])
            #expect(r.status == 0, "\(previous) -> \(mode): \(r.stderr)")
            if mode != previous {
                #expect(r.stderr.contains("note: switching egress from \(previous) to \(mode)"), "\(r.stderr)")
            }
            let smoke = try run(["smoke-test", "--stack-name", stack])
            #expect(smoke.status == 0, "\(mode): \(smoke.stdout)\(smoke.stderr)")
            // The stack's routes are the mode's: each private table's default route and nothing else.
            let tables = try ec2.query(.ec2, action: "DescribeRouteTables", version: "2016-11-15", parameters: [
                ("Filter.1.Name", "tag:cachedemo:stack"), ("Filter.1.Value.1", stack)])
            let routes = (tables.find("routeTableSet")?.all("item") ?? []).flatMap { $0.child("routeSet")?.all("item") ?? [] }
            let targets = routes.compactMap { r in ["natGatewayId", "instanceId", "egressOnlyInternetGatewayId"].lazy.compactMap { r.value($0) }.first }
            let expected = ["nat-gateway": "nat-", "nat-instance": "i-", "ipv6": "eigw-"][mode]!
            #expect(targets.count == 2 && targets.allSatisfy { $0.hasPrefix(expected) }, "\(mode): \(targets)")
            previous = mode
        }
        let destroyed = try run(["destroy", "--stack-name", stack, "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
    }
}
