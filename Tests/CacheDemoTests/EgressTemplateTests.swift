import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// The egress modes as AWS documents them (issue 12): what each template holds, and the
/// flag combinations refused before anything runs.
@Suite struct EgressTemplateTests {
    static func withNatInstances() -> [Variant] { Variant.all.filter { $0.natInstances > 0 } }
    static func overIPv6() -> [Variant] { Variant.all.filter { $0.options.egress == .ipv6 } }
    static func inOwnVPC() -> [Variant] { Variant.all.filter { $0.options.existingNetwork != nil } }

    func logicalIds(_ doc: [String: Any], _ type: String) -> [String] {
        resources(doc).filter { $0.value["Type"] as? String == type }.map(\.key).sorted()
    }

    /// IMDSv2 only, an encrypted root volume, no key pair (no SSH), forwarding on (source/
    /// destination check off), the AMI from the pinned parameter, the architecture the type
    /// needs, and a group that admits only the private subnets.
    @Test(arguments: withNatInstances())
    func natInstancesAreLockedDown(_ v: Variant) throws {
        let doc = try v.document()
        let parameter = try #require((doc["Parameters"] as? [String: [String: Any]])?[NatInstanceEgress.imageParameter])
        #expect(parameter["Type"] as? String == "AWS::EC2::Image::Id")
        let arch = v.options.natInstanceType.hasPrefix("t4g") ? "arm64" : "x86_64"  // the variants' types
        #expect(v.options.natInstanceArchitecture.rawValue == arch)
        #expect((parameter["Description"] as? String)?.contains("al2023-ami-kernel-default-\(arch)") == true)
        let privateBlocks = v.options.subnetBlocks.private.prefix(v.azs).map(\.description)
        for instance in ofType(doc, "AWS::EC2::Instance") {
            #expect((instance["MetadataOptions"] as? [String: Any])?["HttpTokens"] as? String == "required")
            let volumes = try #require(instance["BlockDeviceMappings"] as? [[String: Any]])
            #expect(!volumes.isEmpty && volumes.allSatisfy { ($0["Ebs"] as? [String: Any])?["Encrypted"] as? Bool == true })
            #expect(instance["SourceDestCheck"] as? Bool == false)
            #expect(instance["KeyName"] == nil)
            #expect((instance["ImageId"] as? [String: Any])?["Ref"] as? String == NatInstanceEgress.imageParameter)
            #expect(instance["InstanceType"] as? String == v.options.natInstanceType)
            let nic = try #require((instance["NetworkInterfaces"] as? [[String: Any]])?.first)
            #expect(nic["AssociatePublicIpAddress"] as? Bool == true)  // packages at first boot, before the EIP
            let script = try #require((instance["UserData"] as? [String: Any])?["Fn::Base64"] as? String)
            // The VPC's block, not each subnet's: the same user data single-AZ and Multi-AZ.
            #expect(script.contains("ip saddr \(v.options.vpcCIDR) oifname"))
            #expect(script.contains("systemctl enable --now cachedemo-nat.service") && script.contains("Restart=on-failure"))
            // Booted only once its public subnet routes out (first boot installs nftables).
            let depends = try #require(resources(doc).first { ($0.value["Properties"] as? [String: Any])?["InstanceType"] != nil
                && $0.value["Type"] as? String == "AWS::EC2::Instance" }?.value["DependsOn"] as? [String])
            #expect(depends.contains("PublicDefaultRoute") && depends.contains { $0.hasSuffix("RouteTableAssociation") })
        }
        let group = try #require(resources(doc)["NatInstanceSecurityGroup"]?["Properties"] as? [String: Any])
        let ingress = try #require(group["SecurityGroupIngress"] as? [[String: Any]])
        #expect(Set(ingress.compactMap { $0["CidrIp"] as? String }) == Set(privateBlocks))
        #expect(ingress.allSatisfy { $0["FromPort"] as? Int == v.options.upstream.port && $0["ToPort"] as? Int == v.options.upstream.port })
        let egress = try #require(group["SecurityGroupEgress"] as? [[String: Any]])
        // The upstream's port, and 443 for the package repositories at first boot.
        #expect(Set(egress.compactMap { $0["FromPort"] as? Int }) == [v.options.upstream.port, 443])
        // Every private route table leaves through an instance of the stack.
        let routes = ofType(doc, "AWS::EC2::Route").filter { $0["InstanceId"] != nil }
        #expect(routes.count == v.azs)
        #expect(routes.allSatisfy { $0["DestinationCidrBlock"] as? String == "0.0.0.0/0" })
        #expect(logicalIds(doc, "AWS::EC2::EIP").allSatisfy { $0.hasPrefix("NatInstanceEip") })
    }

    /// The user data is a working shell script, and the ruleset it loads is one nft accepts.
    @Test func natInstanceBootScriptParses() throws {
        let userData = NatInstanceEgress.userData(source: "10.10.0.0/16")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("user-data.sh")
        try userData.write(to: file, atomically: true, encoding: .utf8)
        let syntax = try runTool("bash", ["-n", file.path])
        #expect(syntax.status == 0, "\(syntax.stderr)")
        let script = NatInstanceEgress.natScript(source: "10.10.0.0/16")
        let rules = try #require(script.components(separatedBy: "<<RULES\n").last?.components(separatedBy: "\nRULES").first)
        let ruleFile = dir.appendingPathComponent("rules.nft")
        try rules.replacingOccurrences(of: "$dev", with: "ens5").write(to: ruleFile, atomically: true, encoding: .utf8)
        let check = try runTool("nft", ["-c", "-f", ruleFile.path])
        #expect(check.status == 0, "\(check.stderr)")
    }

    /// The script the instance runs at every boot, run here in network namespaces standing
    /// for the private subnet, the instance and the internet (which has no route back to the
    /// private subnet): before it nothing gets through; after it (twice, as after a reboot)
    /// the upstream sees the instance's own address.
    @Test func natScriptMasqueradesThePrivateSubnet() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("cachedemo-nat")
        try NatInstanceEgress.natScript(source: StackOptions().vpcCIDR).write(to: script, atomically: true, encoding: .utf8)
        let r = try run(Repo.root.appendingPathComponent("scripts/nat-instance-check").path, [script.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("before: unreachable\n"), "\(r.stdout)")
        #expect(r.stdout.contains("tables: table ip cachedemo_nat \n"), "\(r.stdout)")
        #expect(r.stdout.contains("after: 198.51.100.2\n"), "\(r.stdout)\(r.stderr)")
    }

    /// IPv6 out: no NAT, no Elastic IP, no internet gateway, no public subnet; an Amazon
    /// IPv6 block, a /64 per subnet, ::/0 to an egress-only gateway, the function allowed
    /// IPv6 and told to prefer it, and its only egress rule the upstream's port on ::/0.
    @Test(arguments: overIPv6())
    func ipv6EgressHasNoNatAndNoPublicAddress(_ v: Variant) throws {
        let doc = try v.document()
        for type in ["AWS::EC2::NatGateway", "AWS::EC2::EIP", "AWS::EC2::InternetGateway", "AWS::EC2::Instance"] {
            #expect(ofType(doc, type).isEmpty, "\(type)")
        }
        let owned = v.options.existingNetwork == nil
        if owned {
            #expect(ofType(doc, "AWS::EC2::VPCCidrBlock").first?["AmazonProvidedIpv6CidrBlock"] as? Bool == true)
            #expect(ofType(doc, "AWS::EC2::EgressOnlyInternetGateway").count == 1)
            let all = resources(doc)
            for id in logicalIds(doc, "AWS::EC2::Subnet") {
                #expect(all[id]?["DependsOn"] as? [String] == ["VpcIpv6CidrBlock"])
                let block = try #require((all[id]?["Properties"] as? [String: Any])?["Ipv6CidrBlock"] as? [String: Any])
                #expect(block["Fn::Select"] != nil)
                #expect((all[id]?["Properties"] as? [String: Any])?["MapPublicIpOnLaunch"] as? Bool == false)
            }
            let routes = ofType(doc, "AWS::EC2::Route")
            #expect(routes.count == v.azs)
            #expect(routes.allSatisfy { $0["DestinationIpv6CidrBlock"] as? String == "::/0" && $0["EgressOnlyInternetGatewayId"] != nil })
            // The ::/0 routes wait for the VPC's IPv6 block too (issue 21, fix 4): nothing else orders them after it.
            for id in logicalIds(doc, "AWS::EC2::Route") {
                #expect(all[id]?["DependsOn"] as? [String] == ["VpcIpv6CidrBlock"], "\(id)")
            }
        }
        let function = try #require(ofType(doc, "AWS::Lambda::Function").first)
        #expect((function["VpcConfig"] as? [String: Any])?["Ipv6AllowedForDualStack"] as? Bool == true)
        let env = try #require((function["Environment"] as? [String: Any])?["Variables"] as? [String: Any])
        #expect(env["UPSTREAM_PREFER_IPV6"] as? String == "1")
        let group = try #require(resources(doc)["FunctionSecurityGroup"]?["Properties"] as? [String: Any])
        let egress = try #require(group["SecurityGroupEgress"] as? [[String: Any]])
        #expect(egress.count == 1 && egress[0]["CidrIpv6"] as? String == "::/0" && egress[0]["CidrIp"] == nil)
        #expect(egress[0]["FromPort"] as? Int == v.options.upstream.port)
        // The cache stays on IPv4: NetworkType is create-only, a switch would replace it.
        #expect(ofType(doc, "AWS::ElastiCache::ReplicationGroup").first?["NetworkType"] == nil)
    }

    /// In a VPC of one's own the stack makes no network: only its groups, in that VPC, and
    /// the function and the cache in the given subnets.
    @Test(arguments: inOwnVPC())
    func ownVPCStackCreatesNoNetwork(_ v: Variant) throws {
        let doc = try v.document()
        let network = ["AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::Route", "AWS::EC2::InternetGateway",
                       "AWS::EC2::NatGateway", "AWS::EC2::EIP", "AWS::EC2::Instance", "AWS::EC2::EgressOnlyInternetGateway",
                       "AWS::EC2::VPCCidrBlock", "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::VPCGatewayAttachment"]
        for type in network { #expect(ofType(doc, type).isEmpty, "\(type)") }
        let own = try #require(v.options.existingNetwork)
        for group in ofType(doc, "AWS::EC2::SecurityGroup") { #expect(group["VpcId"] as? String == own.vpcId) }
        #expect(ofType(doc, "AWS::ElastiCache::SubnetGroup").first?["SubnetIds"] as? [String] == own.subnetIds)
        let function = try #require(ofType(doc, "AWS::Lambda::Function").first)
        #expect((function["VpcConfig"] as? [String: Any])?["SubnetIds"] as? [String] == own.subnetIds)
        #expect(((doc["Outputs"] as? [String: Any])?["VpcId"] as? [String: Any])?["Value"] as? String == own.vpcId)
    }

    /// A flag combination that makes no sense is one line and exit 64, the same in every
    /// command that takes the stack's flags (checked before any AWS call).
    @Test(arguments: [
        (["--multi-az", "--single-nat", "--egress", "ipv6"], "--single-nat has no NAT to share with --egress ipv6"),
        (["--nat-instance-type", "t4g.micro"], "--nat-instance-type applies to --egress nat-instance"),
        (["--egress", "nat-instance", "--nat-instance-type", "t4g"], "--nat-instance-type 't4g' is not an EC2 instance type"),
        (["--subnet-ids", Variant.ownSubnets[0]], "--subnet-ids needs --vpc-id"),
        (["--vpc-id", Variant.vpc], "--vpc-id needs --subnet-ids"),
        (["--vpc-id", "vpc-12", "--subnet-ids", Variant.ownSubnets[0]], "--vpc-id 'vpc-12' is not a VPC id"),
        (["--vpc-id", Variant.vpc, "--subnet-ids", "subnet-1,\(Variant.ownSubnets[0])"], "--subnet-ids: 'subnet-1' is not a subnet id"),
        (["--vpc-id", Variant.vpc, "--subnet-ids", "\(Variant.ownSubnets[0]),\(Variant.ownSubnets[0])"], "names a subnet twice"),
        (["--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets[0], "--multi-az"], "--multi-az needs two subnets"),
        (["--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets[0], "--egress", "nat-instance"], "your VPC's routes carry it"),
        (["--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets[0], "--vpc-cidr", "10.1.0.0/16"], "--vpc-cidr sizes a VPC"),
        (["--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets[0], "--multi-az", "--single-nat"], "--single-nat"),
    ])
    func flagRelationsAreOneLineAndExit64(_ flags: [String], _ says: String) throws {
        for command in [["template"], ["cost", "--region", "us-east-1"], ["diagram"], ["deploy", "--stack-name", "x", "--region", "us-east-1"]] {
            let r = try cachedemo(command + flags, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
            #expect(r.status == 64, "\(command) \(flags): \(r.stderr)")
            #expect(r.stderr.contains(says) && r.stderr.split(separator: "\n").count == 1, "\(command): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func deployOnlyFlagsNeedTheirEgressMode() throws {
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""]
        let skip = try cachedemo(["deploy", "--region", "us-east-1", "--skip-ipv6-check"], environment: env)
        #expect(skip.status == 64 && skip.stderr.contains("--skip-ipv6-check applies to --egress ipv6"))
        let refresh = try cachedemo(["deploy", "--region", "us-east-1", "--refresh-nat-ami", "--egress", "ipv6"], environment: env)
        #expect(refresh.status == 64 && refresh.stderr.contains("--refresh-nat-ami applies to --egress nat-instance"))
    }

    /// `template --egress ipv6` warns (one line) when the upstream has no IPv6 address, and
    /// still renders; an IPv6 literal passes.
    @Test func templateWarnsWhenTheUpstreamHasNoIPv6Address() throws {
        let v4 = try cachedemo("template", "--egress", "ipv6", "--upstream-url", "http://127.0.0.1:8080")
        #expect(v4.status == 0 && v4.stdout.contains("AWSTemplateFormatVersion"))
        #expect(v4.stderr.hasPrefix("warning: --egress ipv6 needs an upstream with an IPv6 address, and 127.0.0.1 is an IPv4 address"))
        let nowhere = try cachedemo("template", "--egress", "ipv6", "--upstream-url", "https://no-such-host.invalid")
        #expect(nowhere.stderr.contains("no-such-host.invalid does not resolve"))
        let v6 = try cachedemo("template", "--egress", "ipv6", "--upstream-url", "http://[::1]:8080")
        #expect(v6.status == 0 && v6.stderr.isEmpty, "\(v6.stderr)")
        #expect(UpstreamIPv6.check(try UpstreamURL("http://[::1]:8080")) == .reachable(address: "::1"))
    }
}

/// Issue 11's flags: what goes with what, refused before anything runs (exit 64, one line),
/// the same in every command that takes the stack's flags.
@Suite struct CacheShapeFlagTests {
    @Test(arguments: [
        (["--serverless", "--node-type", "cache.t4g.small"], "--serverless has no nodes to size"),
        (["--serverless", "--shards", "3"], "--serverless scales by itself"),
        (["--replicas", "1"], "--replicas applies to a sharded cluster"),
        (["--shards", "3", "--replicas", "6"], "--replicas 6 is outside ElastiCache's 0 to 5"),
        (["--shards", "3", "--replicas", "0", "--multi-az"], "--multi-az needs a replica to fail over to"),
        (["--shards", "0"], "--shards 0 is outside ElastiCache's 1 to 500"),
        (["--shards", "200", "--replicas", "5"], "ElastiCache allows 500 per cluster"),
        (["--max-data-gb", "5"], "are ElastiCache Serverless limits"),
        (["--serverless", "--max-data-gb", "6000"], "--max-data-gb 6000 is outside"),
        (["--serverless", "--max-ecpu-per-second", "10"], "--max-ecpu-per-second 10 is outside"),
        (["--serverless", "--engine-version", "6.2"], "--serverless runs Redis OSS 7"),
        (["--serverless", "--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets[0]], "--serverless needs subnets in two AZs"),
    ])
    func shapeFlagRelationsAreOneLineAndExit64(_ flags: [String], _ says: String) throws {
        for command in [["template"], ["cost", "--region", "us-east-1"], ["diagram"], ["deploy", "--stack-name", "x", "--region", "us-east-1"]] {
            let r = try cachedemo(command + flags, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
            #expect(r.status == 64, "\(command) \(flags): \(r.stderr)")
            #expect(r.stderr.contains(says) && r.stderr.split(separator: "\n").count == 1, "\(command): \(r.stderr)")
        }
    }

    /// `local` takes the same shape flags, checked by the same rules (issue 21), then what a
    /// machine runs.
    @Test(arguments: [
        (["--shards", "17"], "--shards 17: local runs 2 to 16"),
        (["--replicas", "1"], "--replicas applies to a sharded cluster (--shards 2 or more)"),
        (["--shards", "3", "--replicas", "3"], "--replicas 3: local runs 0 to 2"),
        (["--shards", "3", "--replicas", "6"], "--replicas 6 is outside ElastiCache's 0 to 5"),
        (["--serverless", "--shards", "3"], "--serverless scales by itself"),
        (["--shards", "0"], "--shards 0 is outside ElastiCache's 1 to 500"),
        (["--max-data-gb", "5"], "are ElastiCache Serverless limits"),
        (["--serverless", "--max-data-gb", "5"], "local's stand-in has none"),
        (["--shards", "3", "--cache-auth", "iam"], "use --cache-auth token with --shards or --serverless"),
    ])
    func localShapeFlagsAreOneLineAndExit64(_ flags: [String], _ says: String) throws {
        let r = try cachedemo(["local"] + flags, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
        #expect(r.status == 64 && r.stderr.contains(says) && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }
}
