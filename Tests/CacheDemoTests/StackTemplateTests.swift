import CloudFormation
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// The variants every check runs on, with what each must contain.
struct Variant: CustomTestStringConvertible, Sendable {
    let name: String
    let flags: [String]
    let natGateways: Int
    let subnets: Int
    let cacheNodes: Int
    var natInstances = 0
    /// Route tables the stack creates (one public one with NATs, one private per AZ).
    var routeTables: Int?
    /// Subnets the function and the cache go in (the private ones).
    var functionSubnets: Int?
    /// Subnets the cache goes in, when more than the function's (serverless spans two AZs).
    var cacheSubnets: Int?
    var testDescription: String { name }

    static let vpc = "vpc-0123456789abcdef0"
    static let ownSubnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]

    static let all = [
        Variant(name: "single-az", flags: [], natGateways: 1, subnets: 2, cacheNodes: 1),
        Variant(name: "multi-az", flags: ["--multi-az"], natGateways: 2, subnets: 4, cacheNodes: 2),
        Variant(name: "multi-az-single-nat", flags: ["--multi-az", "--single-nat"], natGateways: 1, subnets: 4,
                cacheNodes: 2),
        Variant(name: "valkey", flags: ["--engine", "valkey"], natGateways: 1, subnets: 2, cacheNodes: 1),
        Variant(name: "x86_64", flags: ["--architecture", "x86_64"], natGateways: 1, subnets: 2, cacheNodes: 1),
        Variant(name: "token", flags: ["--cache-auth", "token"], natGateways: 1, subnets: 2, cacheNodes: 1),
        Variant(name: "multi-az-valkey-token", flags: ["--multi-az", "--engine", "valkey", "--cache-auth", "token"], natGateways: 2,
                subnets: 4, cacheNodes: 2),
        Variant(name: "redis-6.2", flags: ["--engine-version", "6.2"], natGateways: 1, subnets: 2, cacheNodes: 1),
        Variant(name: "nat-instance", flags: ["--egress", "nat-instance"], natGateways: 0, subnets: 2, cacheNodes: 1,
                natInstances: 1),
        Variant(name: "multi-az-nat-instance", flags: ["--multi-az", "--egress", "nat-instance"], natGateways: 0, subnets: 4,
                cacheNodes: 2, natInstances: 2),
        Variant(name: "multi-az-nat-instance-single-nat-x86", flags: ["--multi-az", "--single-nat", "--egress", "nat-instance",
                "--nat-instance-type", "t3.nano"], natGateways: 0, subnets: 4, cacheNodes: 2, natInstances: 1),
        Variant(name: "nat-instance-http-8080", flags: ["--egress", "nat-instance", "--upstream-url", "http://api.example.com:8080"],
                natGateways: 0, subnets: 2, cacheNodes: 1, natInstances: 1),
        Variant(name: "ipv6-valkey", flags: ["--egress", "ipv6", "--engine", "valkey"], natGateways: 0, subnets: 1, cacheNodes: 1,
                routeTables: 1),
        Variant(name: "multi-az-ipv6", flags: ["--multi-az", "--egress", "ipv6"], natGateways: 0, subnets: 2, cacheNodes: 2,
                routeTables: 2),
        Variant(name: "sharded-3-multi-az", flags: ["--shards", "3", "--multi-az"], natGateways: 2, subnets: 4, cacheNodes: 6),
        Variant(name: "sharded-2-token-replicas-2", flags: ["--shards", "2", "--replicas", "2", "--cache-auth", "token"],
                natGateways: 1, subnets: 2, cacheNodes: 6),
        Variant(name: "serverless-valkey", flags: ["--serverless", "--engine", "valkey"], natGateways: 1, subnets: 3, cacheNodes: 0,
                functionSubnets: 1, cacheSubnets: 2),
        Variant(name: "serverless-token-limits-ipv6", flags: ["--serverless", "--cache-auth", "token", "--engine", "valkey",
                "--max-data-gb", "5", "--max-ecpu-per-second", "5000", "--egress", "ipv6"], natGateways: 0, subnets: 2,
                cacheNodes: 0, routeTables: 1, functionSubnets: 1, cacheSubnets: 2),
        Variant(name: "serverless-multi-az-redis", flags: ["--serverless", "--multi-az"], natGateways: 2, subnets: 4, cacheNodes: 0),
        Variant(name: "own-vpc", flags: ["--vpc-id", vpc, "--subnet-ids", ownSubnets[0]], natGateways: 0, subnets: 0, cacheNodes: 1,
                routeTables: 0, functionSubnets: 1),
        Variant(name: "own-vpc-multi-az-ipv6", flags: ["--multi-az", "--egress", "ipv6", "--vpc-id", vpc, "--subnet-ids",
                ownSubnets.joined(separator: ",")], natGateways: 0, subnets: 0, cacheNodes: 2, routeTables: 0, functionSubnets: 3),
    ]

    var azs: Int { flags.contains("--multi-az") ? 2 : 1 }
    var expectedRouteTables: Int { routeTables ?? 1 + azs }
    var expectedFunctionSubnets: Int { functionSubnets ?? azs }
    var expectedCacheSubnets: Int { cacheSubnets ?? expectedFunctionSubnets }

    func value(after flag: String) -> String? {
        flags.firstIndex(of: flag).map { flags[$0 + 1] }
    }

    var options: StackOptions {
        var o = StackOptions()
        o.multiAZ = flags.contains("--multi-az")
        if flags.contains("valkey") { o.engine = .valkey }
        if flags.contains("x86_64") { o.architecture = .x86_64 }
        if flags.contains("token") { o.cacheAuth = .token }
        if flags.contains("6.2") { o.engineVersion = "6.2" }
        if let url = value(after: "--upstream-url") { o.upstreamURL = url }
        if flags.contains("--serverless") {
            o.cache = .serverless(.init(maxDataGB: value(after: "--max-data-gb").map { Int($0)! },
                                        maxECPUPerSecond: value(after: "--max-ecpu-per-second").map { Int($0)! }))
        } else if let n = value(after: "--shards") {
            o.cache = .sharded(shards: Int(n)!, replicas: value(after: "--replicas").map { Int($0)! })
        }
        let egress = value(after: "--egress").map { StackOptions.Egress(rawValue: $0)! }
        if let vpc = value(after: "--vpc-id") {
            o.network = .existing(.init(vpcId: vpc, subnetIds: value(after: "--subnet-ids")!.split(separator: ",").map(String.init),
                                        overIPv6: egress == .ipv6))
        } else {
            o.network = .created(.init(egress: egress ?? .natGateway, singleNAT: flags.contains("--single-nat"),
                                       natInstanceType: value(after: "--nat-instance-type") ?? "t4g.nano"))
        }
        return o
    }

    func document() throws -> [String: Any] {
        let text = try CacheStack(options: options).template().rendered(as: .json)
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }
}

func resources(_ doc: [String: Any]) -> [String: [String: Any]] {
    doc["Resources"] as! [String: [String: Any]]
}

func ofType(_ doc: [String: Any], _ type: String) -> [[String: Any]] {
    resources(doc).values.filter { $0["Type"] as? String == type }.map { $0["Properties"] as? [String: Any] ?? [:] }
}

/// Every value anywhere under `node`, depth first.
func walk(_ node: Any, _ visit: (Any) -> Void) {
    visit(node)
    if let d = node as? [String: Any] { for v in d.values { walk(v, visit) } }
    if let a = node as? [Any] { for v in a { walk(v, visit) } }
}

@Suite struct StackTemplateTests {
    @Test(arguments: Variant.all)
    func resourceCountsMatchTheLayout(_ v: Variant) throws {
        let doc = try v.document()
        #expect(ofType(doc, "AWS::EC2::NatGateway").count == v.natGateways)
        #expect(ofType(doc, "AWS::EC2::Instance").count == v.natInstances)
        #expect(ofType(doc, "AWS::EC2::EIP").count == v.natGateways + v.natInstances)
        #expect(ofType(doc, "AWS::EC2::Subnet").count == v.subnets)
        let azs = v.expectedFunctionSubnets
        #expect(ofType(doc, "AWS::EC2::RouteTable").count == v.expectedRouteTables)
        let function = try #require(ofType(doc, "AWS::Lambda::Function").first)
        #expect(((function["VpcConfig"] as? [String: Any])?["SubnetIds"] as? [Any])?.count == azs)
        #expect(function["Architectures"] as? [String] == [v.options.architecture.rawValue])
        let env = try #require((function["Environment"] as? [String: Any])?["Variables"] as? [String: Any])
        switch v.options.cacheShape {
        case .primary:
            let cache = try #require(ofType(doc, "AWS::ElastiCache::ReplicationGroup").first)
            #expect(cache["NumCacheClusters"] as? Int == v.cacheNodes)
            #expect(cache["MultiAZEnabled"] as? Bool == (v.cacheNodes > 1))
            #expect(cache["AutomaticFailoverEnabled"] as? Bool == (v.cacheNodes > 1))
            #expect(cache["Engine"] as? String == v.options.engine.rawValue)
            let subnetGroup = try #require(ofType(doc, "AWS::ElastiCache::SubnetGroup").first)
            #expect((subnetGroup["SubnetIds"] as? [Any])?.count == v.expectedCacheSubnets)
            #expect(env["REDIS_CLUSTER"] == nil)
        case .sharded(let shards, let replicas):
            // Cluster mode: shards × replicas, no NumCacheClusters, failover on (required), resharded in place.
            let all = resources(doc)
            let cache = try #require(all["Cache"])
            let props = try #require(cache["Properties"] as? [String: Any])
            #expect(props["NumCacheClusters"] == nil)
            #expect(props["NumNodeGroups"] as? Int == shards && props["ReplicasPerNodeGroup"] as? Int == replicas)
            #expect(shards * (1 + replicas) == v.cacheNodes)
            #expect((props["CacheParameterGroupName"] as? String)?.hasSuffix(".cluster.on") == true)
            #expect(props["AutomaticFailoverEnabled"] as? Bool == true)
            #expect(props["MultiAZEnabled"] as? Bool == (v.options.multiAZ && replicas > 0))
            #expect((cache["UpdatePolicy"] as? [String: Any])?["UseOnlineResharding"] as? Bool == true)
            #expect(env["REDIS_CLUSTER"] as? String == "1")
            let url = try #require((env["REDIS_URL"] as? [String: Any])?["Fn::Join"] as? [Any])
            #expect("\(url)".contains("ConfigurationEndPoint.Address"))
        case .serverless:
            #expect(ofType(doc, "AWS::ElastiCache::ReplicationGroup").isEmpty && ofType(doc, "AWS::ElastiCache::SubnetGroup").isEmpty)
            let cache = try #require(ofType(doc, "AWS::ElastiCache::ServerlessCache").first)
            #expect(cache["Engine"] as? String == v.options.engine.rawValue)
            #expect(cache["MajorEngineVersion"] as? String == v.options.majorEngineVersion)
            // At least two AZs' subnets; the single-AZ layout adds one for the cache alone.
            #expect((cache["SubnetIds"] as? [Any])?.count == v.expectedCacheSubnets)
            #expect(v.expectedCacheSubnets >= 2)
            #expect((cache["UserGroupId"] as? [String: Any])?["Ref"] as? String == "CacheUserGroup")
            let limits = cache["CacheUsageLimits"] as? [String: Any]
            #expect((limits?["DataStorage"] as? [String: Any])?["Maximum"] as? Int == v.options.serverlessLimits?.maxDataGB)
            #expect((limits?["ECPUPerSecond"] as? [String: Any])?["Maximum"] as? Int == v.options.serverlessLimits?.maxECPUPerSecond)
            #expect(env["REDIS_CLUSTER"] as? String == "1")
            #expect(env["REDIS_USERNAME"] != nil)
            if v.options.resolvedCacheAuth == .iam { #expect(env["REDIS_IAM_SERVERLESS"] as? String == "1") }
        }
        let routes = ofType(doc, "AWS::ApiGatewayV2::Route").compactMap { $0["RouteKey"] as? String }
        // HTTP APIs route on method and path: HEAD needs routes of its own, and /{proxy+} does not match /.
        #expect(Set(routes) == ["GET /", "GET /{proxy+}", "HEAD /", "HEAD /{proxy+}", "DELETE /", "DELETE /{proxy+}"])
    }

    @Test(arguments: Variant.all)
    func purgeRoutesNeedIAMAndReadRoutesDoNot(_ v: Variant) throws {
        for route in ofType(try v.document(), "AWS::ApiGatewayV2::Route") {
            let key = try #require(route["RouteKey"] as? String)
            let auth = route["AuthorizationType"] as? String
            if key.hasPrefix("DELETE ") { #expect(auth == "AWS_IAM", "\(key)") } else { #expect(auth == nil || auth == "NONE", "\(key)") }
        }
    }

    @Test(arguments: Variant.all)
    func noIngressIsOpenToTheInternet(_ v: Variant) throws {
        let doc = try v.document()
        var ingressRules: [[String: Any]] = ofType(doc, "AWS::EC2::SecurityGroupIngress")
        for group in ofType(doc, "AWS::EC2::SecurityGroup") {
            ingressRules += group["SecurityGroupIngress"] as? [[String: Any]] ?? []
        }
        #expect(!ingressRules.isEmpty)
        let privateBlocks = v.options.subnetBlocks.private.map(\.description)
        for rule in ingressRules {
            #expect(rule["CidrIp"] as? String != "0.0.0.0/0")
            #expect(rule["CidrIpv6"] == nil)
            // From another of the stack's groups, or (the NAT instance) from a private subnet.
            #expect(rule["SourceSecurityGroupId"] != nil || privateBlocks.contains(rule["CidrIp"] as? String ?? ""), "\(rule)")
        }
    }

    @Test(arguments: Variant.all.filter { $0.options.resolvedCacheAuth == .token })
    func cacheIsEncryptedAndItsTokenIsADynamicReference(_ v: Variant) throws {
        let doc = try v.document()
        let token: String
        if v.options.serverless {
            // Always encrypted in transit and at rest (no switch exists); no AUTH token: a password user.
            let cache = try #require(ofType(doc, "AWS::ElastiCache::ServerlessCache").first)
            #expect(cache["KmsKeyId"] == nil && cache["UserGroupId"] != nil)
            let user = try #require(resources(doc)["CacheUser"]?["Properties"] as? [String: Any])
            let mode = try #require(user["AuthenticationMode"] as? [String: Any])
            #expect(mode["Type"] as? String == "password")
            token = try #require(((mode["Passwords"] as? [[String: Any]])?.first)?["Fn::Sub"] as? String)
        } else {
            let cache = try #require(ofType(doc, "AWS::ElastiCache::ReplicationGroup").first)
            #expect(cache["TransitEncryptionEnabled"] as? Bool == true)
            #expect(cache["AtRestEncryptionEnabled"] as? Bool == true)
            token = try #require((cache["AuthToken"] as? [String: Any])?["Fn::Sub"] as? String)
        }
        #expect(token.hasPrefix("{{resolve:secretsmanager:${"))
        let env = try #require(((ofType(doc, "AWS::Lambda::Function").first?["Environment"] as? [String: Any])?[
            "Variables"] as? [String: Any]))
        #expect((env["REDIS_AUTH_TOKEN"] as? [String: Any])?["Fn::Sub"] as? String == token)
        #expect(env["CACHE_TTL_SECONDS"] as? String == "3600")
        // No literal that looks like a token anywhere: every string with "secret" in it is a reference.
        walk(doc) { node in
            if let s = node as? String, s.lowercased().contains("resolve:") { #expect(s.contains("${")) }
        }
    }

    @Test(arguments: Variant.all)
    func noFixedPhysicalNames(_ v: Variant) throws {
        let doc = try v.document()
        let fixedNameProperties = ["LogGroupName", "FunctionName", "RoleName", "ReplicationGroupId", "Name",
                                   "CacheSubnetGroupName", "GroupName"]
        for (id, resource) in resources(doc) {
            let type = resource["Type"] as! String
            let props = resource["Properties"] as? [String: Any] ?? [:]
            for key in fixedNameProperties where type != "AWS::ApiGatewayV2::Api" && type != "AWS::Lambda::Permission" {
                if type == "AWS::ElastiCache::ReplicationGroup" && key == "CacheSubnetGroupName" { continue }
                if type == "AWS::Logs::LogGroup" && key == "LogGroupName", props[key] != nil {
                    // Vended-log groups are named, but from the stack's name and its id's UUID.
                    let sub = try #require((props[key] as? [String: Any])?["Fn::Sub"] as? [Any])
                    #expect((sub[0] as? String)?.contains("${AWS::StackName}-${StackUUID}") == true)
                    continue
                }
                #expect(props[key] == nil, "\(id) (\(type)) sets a fixed \(key)")
            }
        }
        // The one name the API needs is derived from the stack name.
        let api = try #require(ofType(doc, "AWS::ApiGatewayV2::Api").first)
        #expect((api["Name"] as? [String: Any])?["Fn::Sub"] as? String == "${AWS::StackName}-api")
    }

    /// AWS services that deliver logs (ElastiCache, HTTP API access logs) write through one
    /// account-wide resource policy capped at 5,120 characters; /aws/vendedlogs/ names are
    /// covered by one wildcard instead of one ARN per stack.
    @Test(arguments: Variant.all)
    func deliveredLogGroupsAreVendedLogGroups(_ v: Variant) throws {
        let doc = try v.document()
        let all = resources(doc)
        // Serverless delivers no logs (ElastiCache has none for it): only the API's access log.
        let cache = ofType(doc, "AWS::ElastiCache::ReplicationGroup").first ?? [:]
        var delivered = (cache["LogDeliveryConfigurations"] as? [[String: Any]] ?? []).compactMap {
            ((($0["DestinationDetails"] as? [String: Any])?["CloudWatchLogsDetails"] as? [String: Any])?["LogGroup"]
                as? [String: Any])?["Ref"] as? String
        }
        let stage = try #require(ofType(doc, "AWS::ApiGatewayV2::Stage").first)
        delivered += [(((stage["AccessLogSettings"] as? [String: Any])?["DestinationArn"] as? [String: Any])?["Fn::GetAtt"]
            as? [String])?.first].compactMap { $0 }
        #expect(delivered.count == (v.options.serverless ? 1 : 3))
        for id in delivered {
            let props = all[id]?["Properties"] as? [String: Any] ?? [:]
            let sub = try #require((props["LogGroupName"] as? [String: Any])?["Fn::Sub"] as? [Any], "\(id) has no LogGroupName")
            #expect((sub[0] as? String)?.hasPrefix("/aws/vendedlogs/") == true, "\(id)")
        }
        // The function's own log group is written by Lambda, not delivered: it keeps a generated name.
        #expect((all["FunctionLogGroup"]?["Properties"] as? [String: Any])?["LogGroupName"] == nil)
    }

    /// The function may reach the upstream on the upstream's port only (and the cache on its own).
    @Test(arguments: [("https://api.example.com", 443), ("http://api.example.com", 80), ("https://api.example.com:8443/v1", 8443)])
    func functionEgressIsTheUpstreamsPortOnly(_ url: String, _ port: Int) throws {
        var o = StackOptions()
        o.upstreamURL = url
        let text = try CacheStack(options: o).template().rendered(as: .json)
        let doc = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let group = try #require(resources(doc)["FunctionSecurityGroup"]?["Properties"] as? [String: Any])
        let egress = try #require(group["SecurityGroupEgress"] as? [[String: Any]])
        #expect(egress.count == 1)
        #expect(egress.first?["FromPort"] as? Int == port && egress.first?["ToPort"] as? Int == port)
    }

    @Test func theStageThrottleIsTheFlagsValues() throws {
        var o = StackOptions()
        o.throttle.ratePerSecond = 250.5
        o.throttle.burst = 700
        let text = try CacheStack(options: o).template().rendered(as: .json)
        let doc = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let stage = try #require(ofType(doc, "AWS::ApiGatewayV2::Stage").first)
        let settings = try #require(stage["DefaultRouteSettings"] as? [String: Any])
        #expect(settings["ThrottlingRateLimit"] as? Double == 250.5)
        #expect(settings["ThrottlingBurstLimit"] as? Int == 700)
    }

    /// The engine versions offered must be ones ElastiCache has: cfn-lint's list is refreshed
    /// from DescribeCacheEngineVersions.
    @Test func engineVersionsAreOnesElastiCacheOffers() throws {
        let script = """
            import cfnlint, json, os
            p = os.path.join(os.path.dirname(cfnlint.__file__), "data/schemas/extensions/aws_elasticache_cachecluster/engine_version.json")
            d = json.load(open(p))
            out = {}
            for rule in d["allOf"]:
                eng = rule["if"]["properties"].get("Engine", {}).get("const")
                if eng: out[eng] = rule["then"]["properties"]["EngineVersion"]["enum"]
            print(json.dumps(out))
            """
        let r = try runTool("python3", ["-c", script])
        let known = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: [String]])
        for engine in StackOptions.Engine.allCases {
            let offered = try #require(known[engine.rawValue])
            #expect(engine.supportedVersions.allSatisfy(offered.contains), "\(engine): \(engine.supportedVersions) vs \(offered)")
            #expect(engine.supportedVersions.contains(engine.defaultVersion))
        }
    }

    /// IAM auth: no secret anywhere, the cache admits a user group (an IAM user and the disabled
    /// default user), the role may connect to exactly this cache as exactly this user, and the
    /// function's environment holds no credential.
    @Test(arguments: Variant.all.filter { $0.options.resolvedCacheAuth == .iam })
    func iamAuthHasNoSecretAndAScopedConnect(_ v: Variant) throws {
        let doc = try v.document()
        #expect(ofType(doc, "AWS::SecretsManager::Secret").isEmpty)
        walk(doc) { node in
            if let s = node as? String { #expect(!s.contains("resolve:"), "a dynamic reference: \(s)") }
        }
        if v.options.serverless {
            let cache = try #require(ofType(doc, "AWS::ElastiCache::ServerlessCache").first)
            #expect((cache["UserGroupId"] as? [String: String]) == ["Ref": "CacheUserGroup"])
        } else {
            let cache = try #require(ofType(doc, "AWS::ElastiCache::ReplicationGroup").first)
            #expect(cache["AuthToken"] == nil)
            #expect((cache["UserGroupIds"] as? [[String: String]]) == [["Ref": "CacheUserGroup"]])
            #expect(cache["TransitEncryptionEnabled"] as? Bool == true)
        }
        let users = resources(doc).filter { $0.value["Type"] as? String == "AWS::ElastiCache::User" }
        let app = try #require(users["CacheUser"]?["Properties"] as? [String: Any])
        #expect((app["AuthenticationMode"] as? [String: String])?["Type"] == "iam")
        #expect(app["UserId"] as? [String: String] == ["Ref": "CacheUserId"] && app["UserName"] as? [String: String] == ["Ref": "CacheUserId"])
        // A cluster's client also reads the slot map, follows ASK and confirms purges (WAIT).
        let access = try #require(app["AccessString"] as? String)
        #expect(access == v.options.cachePart.accessString)
        let granted = Set(access.split(separator: " ").map(String.init))
        if v.options.serverless {
            // ElastiCache Serverless lists CLIENT TRACKING and WAIT as unavailable and ASKING not at
            // all; RBAC throws on a forbidden command in an access string (issue 21, fix 1).
            #expect(granted.isDisjoint(with: ["+client|tracking", "+wait", "+asking"]), "\(access)")
            #expect(granted.isSuperset(of: ["+cluster|shards", "+get", "+set", "+unlink"]), "\(access)")
        }
        let defaultUser = try #require(users["CacheDefaultUser"]?["Properties"] as? [String: Any])
        #expect(defaultUser["UserName"] as? String == "default" && (defaultUser["AccessString"] as? String)?.hasPrefix("off") == true)
        let group = try #require(ofType(doc, "AWS::ElastiCache::UserGroup").first)
        #expect((group["UserIds"] as? [Any])?.count == 2)

        let role = try #require(ofType(doc, "AWS::IAM::Role").first)
        let statements = try #require(((role["Policies"] as? [[String: Any]])?.first?["PolicyDocument"] as? [String: Any])?["Statement"]
            as? [[String: Any]])
        #expect(statements.count == 1 && statements[0]["Action"] as? String == "elasticache:Connect")
        let targets = (statements[0]["Resource"] as? [[String: String]])?.compactMap { $0["Fn::Sub"] } ?? []
        let kind = v.options.serverless ? "serverlesscache" : "replicationgroup"
        #expect(targets == ["arn:${AWS::Partition}:elasticache:${AWS::Region}:${AWS::AccountId}:\(kind):${Cache}",
                            "arn:${AWS::Partition}:elasticache:${AWS::Region}:${AWS::AccountId}:user:${CacheUserId}"])
        #expect(!targets.contains { $0.contains("*") })

        let function = try #require(ofType(doc, "AWS::Lambda::Function").first)
        let env = try #require((function["Environment"] as? [String: Any])?["Variables"] as? [String: Any])
        #expect(env["REDIS_AUTH_TOKEN"] == nil && env["REDIS_AUTH_MODE"] as? String == "iam")
        #expect(env["REDIS_IAM_CACHE_NAME"] as? [String: String] == ["Ref": "Cache"])
    }

    /// IAM is the default where the engine has it; Redis OSS 6.2 gets a token, and says so.
    @Test func theDefaultIsIAMWhereTheEngineHasIt() throws {
        #expect(StackOptions().resolvedCacheAuth == .iam)
        var valkey = StackOptions()
        valkey.engine = .valkey
        #expect(valkey.resolvedCacheAuth == .iam && valkey.cacheAuthNote == nil)
        var old = StackOptions()
        old.engineVersion = "6.2"
        #expect(old.resolvedCacheAuth == .token)
        #expect(old.cacheAuthNote?.contains("--cache-auth token") == true)
        let r = try cachedemo("template", "--engine-version", "6.2")
        #expect(r.status == 0 && r.stderr.hasPrefix("note: redis 6.2 has no IAM authentication"))
    }

    /// The user id deploy derives: lowercase, a letter first, short enough for "-default" and
    /// "-group" within ElastiCache's limits, stable for a stack, different between stacks.
    @Test func theCacheUserIdFitsElastiCachesRules() {
        for name in ["cachedemo", "CI-Run-12345-With-A-Very-Long-Stack-Name-Indeed", "a", "Z9-9", "a--b", "x-----------------------y"] {
            let id = Deployer.cacheUserId(stack: name)
            #expect(id.range(of: CacheAuthPart.userIdPattern, options: .regularExpression) != nil, "\(name) -> \(id)")
            #expect((id + "-default").count <= 40 && !id.contains("--") && !id.hasSuffix("-"))
            #expect(id == Deployer.cacheUserId(stack: name))
            // ServerlessCacheName: the same rule, at most 40, stable per stack.
            let cache = Deployer.serverlessCacheName(stack: name)
            #expect(cache.range(of: CacheStack.serverlessNamePattern, options: .regularExpression) != nil, "\(name) -> \(cache)")
            #expect(cache == Deployer.serverlessCacheName(stack: name))
        }
        #expect(Deployer.cacheUserId(stack: "Prod") != Deployer.cacheUserId(stack: "prod"))
        for bad in ["a--b", "ab-", "1ab", "", String(repeating: "a", count: 41)] {
            #expect(bad.range(of: CacheStack.serverlessNamePattern, options: .regularExpression) == nil, "\(bad) passes")
        }
        for bad in ["a--b", "ab-", "1ab", "", String(repeating: "a", count: 31)] {
            #expect(bad.range(of: CacheAuthPart.userIdPattern, options: .regularExpression) == nil, "\(bad) passes")
        }
    }

    @Test(arguments: Variant.all)
    func everyTaggableResourceCarriesTheAppTag(_ v: Variant) throws {
        let doc = try v.document()
        let untaggable: Set = ["AWS::EC2::VPCGatewayAttachment", "AWS::EC2::Route", "AWS::EC2::SubnetRouteTableAssociation",
                               "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress",
                               "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Route", "AWS::Lambda::Permission",
                               "AWS::EC2::VPCCidrBlock"]
        for (id, resource) in resources(doc) where !untaggable.contains(resource["Type"] as! String) {
            let tags = (resource["Properties"] as? [String: Any])?["Tags"]
            let hasApp = (tags as? [[String: Any]])?.contains { $0["Key"] as? String == "app" } ?? false
                || (tags as? [String: Any])?["app"] != nil
            #expect(hasApp, "\(id) has no app tag")
        }
    }

    @Test func renderingTwiceGivesTheSameBytes() throws {
        for v in Variant.all {
            for format in TemplateFormat.allCases {
                let a = try CacheStack(options: v.options).template().rendered(as: format)
                let b = try CacheStack(options: v.options).template().rendered(as: format)
                #expect(a == b)
            }
        }
    }

    @Test func theFunctionGetsTheCachingSettingsInBytesAndSeconds() throws {
        var o = StackOptions()
        o.caching.ttlSeconds = 120
        o.caching.instanceCacheMB = 0
        o.memoryMB = 1024
        let doc = try JSONSerialization.jsonObject(
            with: Data(CacheStack(options: o).template().rendered(as: .json).utf8)) as! [String: Any]
        let env = try #require(((ofType(doc, "AWS::Lambda::Function").first?["Environment"] as? [String: Any])?[
            "Variables"] as? [String: Any]))
        #expect(env["CACHE_TTL_SECONDS"] as? String == "120")
        #expect(env["CACHE_LOCAL_MAX_BYTES"] as? String == "0")
        o.caching.instanceCacheMB = 512
        try o.validate()
        #expect(CachingOptions().environment["CACHE_LOCAL_MAX_BYTES"] == "16777216")
        o.caching.instanceCacheMB = 513
        #expect(throws: StackOptionsError.self) { try o.validate() }
    }

    @Test func subnetsAreCarvedFromTheVpcBlock() throws {
        var o = StackOptions()
        o.network = .created(.init(cidr: "10.20.0.0/16"))
        #expect(o.subnetBlocks.public.map(\.description) == ["10.20.0.0/24", "10.20.1.0/24"])
        #expect(o.subnetBlocks.private.map(\.description) == ["10.20.2.0/24", "10.20.3.0/24"])
        o.network = .created(.init(cidr: "192.168.4.0/24"))
        #expect(o.subnetBlocks.private.map(\.description) == ["192.168.4.128/26", "192.168.4.192/26"])
    }

    @Test(arguments: [
        ("10.0.0.0/8", "vpc-cidr"), ("10.10.1.0/16", "vpc-cidr"), ("300.1.0.0/16", "vpc-cidr"), ("10.0.0.0/25", "vpc-cidr"),
    ])
    func badCIDRsAreRejected(_ cidr: String, _ flag: String) throws {
        var o = StackOptions()
        o.network = .created(.init(cidr: cidr))
        #expect(throws: StackOptionsError.self) { try o.validate() }
    }
}

@Suite struct CommittedTemplateTests {
    /// Each committed template with the flags scripts/render-templates gives it.
    @Test(arguments: [("single-az.yaml", []), ("multi-az.yaml", ["--multi-az"]),
                      ("sharded.yaml", ["--shards", "3", "--multi-az"]), ("serverless.yaml", ["--serverless", "--engine", "valkey"])])
    func committedTemplatesAreCurrent(_ file: String, _ flags: [String]) throws {
        let o = Variant(name: file, flags: flags, natGateways: 0, subnets: 0, cacheNodes: 0).options
        let rendered = try CacheStack(options: o).template().rendered(as: .yaml)
        let committed = try String(contentsOf: Repo.root.appendingPathComponent("templates/\(file)"), encoding: .utf8)
        #expect(rendered == committed,
                "templates/\(file) is stale; regenerate it with: scripts/render-templates")
    }
}
