import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// Issue 22's flags: what the function is told (its environment), what is refused (one line,
/// exit 64, in every command that takes them), and secrets that never sit in the template.
@Suite struct HTTPCacheFlagTests {
    static let flags = ["--cache-control", "ignore", "--min-ttl", "30", "--max-ttl", "600", "--negative-ttl", "15", "--stale-ttl", "3600",
                        "--client-credentials", "pass", "--forward-header", "Accept-Language", "--forward-header", "X-Tenant",
                        "--ignore-query-param", "utm_*", "--ignore-query-param", "fbclid",
                        "--upstream-header", "Accept: application/json",
                        "--upstream-secret", "X-Api-Key=secretsmanager:prod/weather-api#key",
                        "--upstream-secret-query", "appid=secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:w-AbCdEf"]

    func environment(_ args: [String]) throws -> [String: Any] {
        let r = try cachedemo(["template", "--format", "json"] + args, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let function = try #require(ofType(doc, "AWS::Lambda::Function").first)
        return try #require((function["Environment"] as? [String: Any])?["Variables"] as? [String: Any])
    }

    @Test func theFlagsReachTheFunctionAndSecretsAreDynamicReferences() throws {
        let env = try environment(Self.flags)
        #expect(env["CACHE_CONTROL"] as? String == "ignore")
        #expect(env["CACHE_MIN_TTL_SECONDS"] as? String == "30" && env["CACHE_MAX_TTL_SECONDS"] as? String == "600")
        #expect(env["CACHE_NEGATIVE_TTL_SECONDS"] as? String == "15" && env["CLIENT_CREDENTIALS"] as? String == "pass")
        #expect(env["CACHE_STALE_TTL_SECONDS"] as? String == "3600")
        #expect(env["FORWARD_HEADERS"] as? String == "accept-language,x-tenant")
        #expect(env["IGNORE_QUERY_PARAMS"] as? String == "utm_*,fbclid")
        #expect(env["UPSTREAM_HEADERS"] as? String == #"{"accept":"application/json"}"#)
        #expect(env["UPSTREAM_SECRETS"] as? String == #"[{"in":"header","name":"x-api-key"},{"in":"query","name":"appid"}]"#)
        #expect(env["UPSTREAM_SECRET_0"] as? String == "{{resolve:secretsmanager:prod/weather-api:SecretString:key}}")
        #expect(env["UPSTREAM_SECRET_1"] as? String == "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:w-AbCdEf}}")
        // Without the flags the function is told nothing new: committed templates stay as they were.
        let plain = try environment([])
        for name in ["CACHE_CONTROL", "FORWARD_HEADERS", "UPSTREAM_HEADERS", "UPSTREAM_SECRETS", "CACHE_MIN_TTL_SECONDS"] {
            #expect(plain[name] == nil, "\(name)")
        }
    }

    /// An SSM SecureString is read by the function as it starts: named in the environment,
    /// no value there, and the role may read exactly that parameter.
    @Test func anSSMSecretIsNamedAndTheRoleMayReadExactlyIt() throws {
        let args = ["--upstream-secret", "X-Api-Key=ssm:/prod/weather/key", "--upstream-secret-query", "token=secretsmanager:t"]
        let env = try environment(args)
        #expect(env["UPSTREAM_SECRETS"] as? String == #"[{"in":"header","name":"x-api-key","ssm":"/prod/weather/key"},{"in":"query","name":"token"}]"#)
        #expect(env["UPSTREAM_SECRET_0"] == nil && env["UPSTREAM_SECRET_1"] as? String == "{{resolve:secretsmanager:t}}")
        let r = try cachedemo(["template", "--format", "json"] + args, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let role = try #require(ofType(doc, "AWS::IAM::Role").first { ($0["Policies"] as? [[String: Any]])?.contains { $0["PolicyName"] as? String == "read-the-upstream-secrets" } == true })
        let policy = try #require((role["Policies"] as? [[String: Any]])?.first { $0["PolicyName"] as? String == "read-the-upstream-secrets" })
        let statement = try #require(((policy["PolicyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]])?.first)
        #expect(statement["Action"] as? String == "ssm:GetParameter")
        let resources = try #require(statement["Resource"] as? [[String: Any]])
        #expect(resources.map { $0["Fn::Sub"] as? String } == ["arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/prod/weather/key"])
    }

    @Test func theTemplateWithEveryFlagIsLintClean() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for format in ["yaml", "json"] {
            let r = try cachedemo(["template", "--format", format] + Self.flags, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
            try r.stdout.write(to: dir.appendingPathComponent("t.\(format)"), atomically: true, encoding: .utf8)
        }
        let lint = try runTool("cfn-lint", ["--format", "parseable", dir.appendingPathComponent("t.yaml").path, dir.appendingPathComponent("t.json").path])
        #expect(lint.status == 0 && lint.stdout.isEmpty, "\(lint.stdout)\(lint.stderr)")
    }

    @Test(arguments: [
        (["--min-ttl", "-1"], "--min-ttl -1 is outside 0 to"),
        (["--min-ttl", "700", "--max-ttl", "600"], "--min-ttl 700 is more than --max-ttl 600"),
        (["--stale-ttl", "-1"], "--stale-ttl -1 is outside 0 to"),
        (["--forward-header", "Accept", "--upstream-header", "Accept: application/json"], "--forward-header accept is also set by"),
        (["--cache-control", "sometimes"], "sometimes"),
        (["--forward-header", "Authorization"], "use --client-credentials pass"),
        (["--forward-header", "bad header"], "is not a header name"),
        (["--forward-header", "Host"], "sets itself"),
        (["--ignore-query-param", "*"], "is not a query parameter name"),
        (["--upstream-header", "X-Api-Key: abc123"], "carries a credential"),
        (["--upstream-header", "Authorization: Bearer x"], "use --upstream-secret 'authorization=secretsmanager:NAME'"),
        (["--upstream-header", "no colon"], "is not 'Name: value'"),
        (["--upstream-secret", "X-Api-Key=vault:x"], "is not a secret source"),
        (["--upstream-secret", "X-Api-Key=ssm:/prod/key", "--egress", "ipv6"], "has no IPv4 way out to SSM"),
        (["--upstream-secret", "X-Api-Key=env:KEY"], "env: and file: are read by `cachedemo local` only"),
        (["--upstream-secret", "X-Api-Key=secretsmanager:a", "--upstream-secret", "x-api-key=secretsmanager:b"], "is given twice"),
    ])
    func badCachingFlagsAreOneLineAndExit64(_ flags: [String], _ says: String) throws {
        for command in [["template"], ["cost", "--region", "us-east-1"], ["diagram"], ["deploy", "--stack-name", "x", "--region", "us-east-1"]] {
            let r = try cachedemo(command + flags, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
            #expect(r.status == 64, "\(command) \(flags): \(r.stderr)")
            #expect(r.stderr.contains(says) && r.stderr.split(separator: "\n").count == 1, "\(command): \(r.stderr)")
        }
    }

    @Test(arguments: [
        (["--upstream-secret", "X-Api-Key=secretsmanager:prod/key"], "local has no AWS account to read Secrets Manager or SSM from"),
        (["--upstream-secret", "X-Api-Key=ssm:/prod/key"], "local has no AWS account to read Secrets Manager or SSM from"),
        (["--upstream-header", "X-Auth-Token: t"], "carries a credential"),
        (["--max-ttl", "-5"], "--max-ttl -5 is outside"),
    ])
    func localRefusesTheSameWay(_ flags: [String], _ says: String) throws {
        let r = try cachedemo(["local"] + flags, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
        #expect(r.status == 64 && r.stderr.contains(says) && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    @Test func anUnsetEnvSecretForLocalIsOneLineAndNothingIsLeftRunning() throws {
        let r = try cachedemo(["local", "--upstream-secret", "X-Api-Key=env:CACHEDEMO_TEST_UNSET_KEY"],
                              environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("env:CACHEDEMO_TEST_UNSET_KEY is not set or empty"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("cachedemo: error:") }.count == 1)
    }
}

/// `local` reads a secret from its own environment and the function sends it: a smoke test
/// through a key-protected upstream passes with it and fails without it.
@Suite(.serialized) struct LocalUpstreamSecretTests {
    @Test func localSendsTheKeyFromItsEnvironment() throws {
        let key = "k-" + UUID().uuidString
        let upstream = try DemoUpstream(apiKey: key)
        defer { upstream.stop() }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let with = try cachedemo(["local", "--smoke-test", "--upstream-url", upstream.url, "--upstream-secret", "X-Api-Key=env:DEMO_KEY"],
                                 environment: ["PATH": path, "DEMO_KEY": key])
        #expect(with.status == 0, "\(with.stdout)\(with.stderr)")
        #expect(!with.stdout.contains(key) && !with.stderr.contains(key))
        let without = try cachedemo(["local", "--smoke-test", "--upstream-url", upstream.url], environment: ["PATH": path])
        #expect(without.status == 1 && without.stdout.contains("HTTP 401"), "\(without.stdout)\(without.stderr)")
    }
}

/// An upstream that says no-cache on everything: the smoke test says why nothing is cached,
/// and `--cache-control ignore` caches it anyway.
@Suite(.serialized) struct NoStoreUpstreamTests {
    @Test func theSmokeTestSaysWhyAndIgnoreCachesIt() throws {
        let upstream = try HelperProcess("python3", [Paths.fakeServers, "nocache"])
        defer { upstream.stop() }
        let url = "http://127.0.0.1:\(upstream.firstLine)"
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let honored = try cachedemo(["local", "--smoke-test", "--upstream-url", url], environment: ["PATH": path])
        #expect(honored.status == 1)
        #expect(honored.stdout.contains("x-cache PASS; the upstream's answer is not storable")
                && honored.stdout.contains("Cache-Control: no-cache") && honored.stdout.contains("--cache-control ignore"),
                "\(honored.stdout)")
        let ignored = try cachedemo(["local", "--smoke-test", "--upstream-url", url, "--cache-control", "ignore"], environment: ["PATH": path])
        #expect(ignored.status == 0, "\(ignored.stdout)\(ignored.stderr)")
    }
}

/// Secrets through a real deploy on the emulator: the function sends the key CloudFormation
/// resolved into its environment to a key-protected upstream; a missing secret stops the
/// deploy before anything is uploaded; the value shows nowhere.
@Suite(.serialized) struct UpstreamSecretDeployTests {
    let emulator = Emulator.shared

    @Test func aKeyProtectedUpstreamIsReachedWithTheSecretAndTheValueShowsNowhere() throws {
        let key = "k-" + UUID().uuidString
        let upstream = try DemoUpstream(apiKey: key)
        defer { upstream.stop() }
        let secretName = "cachedemo-test/\(UUID().uuidString.prefix(8))"
        let stack = "secret-\(UUID().uuidString.prefix(6).lowercased())"
        let flags = ["--upstream-url", upstream.url, "--upstream-secret", "X-Api-Key=secretsmanager:\(secretName)#apiKey"]

        let missing = try cachedemo(["deploy", "--stack-name", stack, "--yes"] + flags, environment: emulator.environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Secrets Manager in us-east-1 has no secret '\(secretName)'"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("uploaded"), "nothing is uploaded before the check")

        let created = try runTool("env", emulator.environment.map { "\($0.key)=\($0.value)" } + [
            "aws", "secretsmanager", "create-secret", "--name", secretName, "--secret-string", #"{"apiKey":"\#(key)"}"#,
            "--endpoint-url", emulator.endpoint, "--region", "us-east-1"])
        #expect(created.status == 0, "\(created.stderr)")

        let deployed = try cachedemo(["deploy", "--stack-name", stack, "--yes", "--output", "json"] + flags, environment: emulator.environment)
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(!deployed.stdout.contains(key) && !deployed.stderr.contains(key))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(deployed.stdout.utf8)) as? [String: Any])
        let endpoint = try #require((doc["outputs"] as? [String: String])?["ApiEndpoint"])
        let r = try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: endpoint + "/?name=ada")!))
        #expect(r.status == 200, "the upstream wants the key: \(r.text)")
        #expect(r.header("x-cache") == "MISS")
        #expect(!r.text.contains(key) && !r.headers.contains { $0.value.contains(key) })
        // The same key from SSM: read by the function as it starts (the emulator is its SSM).
        let parameter = "/cachedemo-test/\(UUID().uuidString.prefix(8))"
        let ssmFlags = ["--upstream-url", upstream.url, "--upstream-secret", "X-Api-Key=ssm:\(parameter)"]
        let noParameter = try cachedemo(["deploy", "--stack-name", stack, "--yes"] + ssmFlags, environment: emulator.environment)
        #expect(noParameter.status == 1 && noParameter.stderr.contains("SSM in us-east-1 has no parameter '\(parameter)'"), "\(noParameter.stderr)")
        let put = try runTool("env", emulator.environment.map { "\($0.key)=\($0.value)" } + [
            "aws", "ssm", "put-parameter", "--name", parameter, "--type", "SecureString", "--value", key,
            "--endpoint-url", emulator.endpoint, "--region", "us-east-1"])
        #expect(put.status == 0, "\(put.stderr)")
        let viaSSM = try cachedemo(["deploy", "--stack-name", stack, "--yes"] + ssmFlags, environment: emulator.environment)
        #expect(viaSSM.status == 0, "\(viaSSM.stderr)")
        let again = try CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: endpoint + "/?name=grace")!))
        #expect(again.status == 200 && again.header("x-cache") == "MISS", "the key from SSM: \(again.status) \(again.text)")
        let template = try cachedemo(["template"] + flags, environment: emulator.environment)
        #expect(!template.stdout.contains(key) && template.stdout.contains("{{resolve:secretsmanager:\(secretName):SecretString:apiKey}}"))
        #expect(try cachedemo(["destroy", "--stack-name", stack, "--yes"], environment: emulator.environment).status == 0)
    }
}

/// `--cache-rules FILE`: checked when the template is rendered (one line naming the file,
/// the rule and the key), carried in the zip, shown in the template, and run by `local`.
@Suite struct CacheRulesTests {
    static let rules = """
        # Admin pages are per user; user pages vary by tenant.
        - path: /admin/*
          cache: false
        - path: /users/*
          cache-ttl: 60
          forward-header: X-Tenant
          ignore-query-param: [utm_*]
        """

    func write(_ text: String, _ name: String = "rules.yaml") throws -> (URL, String) {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (dir, file.path)
    }

    @Test func theTemplateShowsTheRulesAndIsLintClean() throws {
        let (dir, file) = try write(Self.rules)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try cachedemo("template", "--cache-rules", file)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1. /admin/*: not cached; 2. /users/*: cache-ttl 60, forward-header x-tenant, ignore-query-param utm_*"))
        try r.stdout.write(to: dir.appendingPathComponent("t.yaml"), atomically: true, encoding: .utf8)
        let lint = try runTool("cfn-lint", ["--format", "parseable", dir.appendingPathComponent("t.yaml").path])
        #expect(lint.status == 0 && lint.stdout.isEmpty, "\(lint.stdout)")
        // Without rules the template has no such output: committed templates stay as they were.
        #expect(!(try cachedemo("template")).stdout.contains("CacheRules"))
    }

    @Test func theZipCarriesTheRulesAndTheirHashChangesWithThem() throws {
        let (dir, file) = try write(Self.rules)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try CacheRules.load(file)
        let with = try LambdaPackage.build(files: LambdaSources.handler + rules.files)
        let without = try LambdaPackage.build()
        #expect(with.sha256 != without.sha256)
        let unpacked = dir.appendingPathComponent("zip")
        try with.extract(to: unpacked)
        let carried = try String(contentsOf: unpacked.appendingPathComponent("cache-rules.json"), encoding: .utf8)
        #expect(carried == #"[{"path":"/admin/*","cache":false},{"path":"/users/*","cache-ttl":60,"forward-header":["x-tenant"],"ignore-query-param":["utm_*"]}]"#)
    }

    @Test(arguments: [
        ("- path: /x\n  ttl: 5\n", "rule 1: 'ttl' is not a rule key; use path, cache, cache-ttl"),
        ("- cache-ttl: 5\n", "rule 1 has no path"),
        ("- path: x\n", "path 'x' is not a path pattern; start it with /"),
        ("- path: /a\n- path: /b\n  cache-ttl: soon\n", "rule 2 (/b): cache-ttl must be whole seconds"),
        ("- path: /a\n  cache: false\n  cache-ttl: 5\n", "cache: false stores nothing"),
        ("- path: /a\n  min-ttl: 900\n  max-ttl: 60\n", "rule 1 (/a): --min-ttl 900 is more than --max-ttl 60"),
        ("- path: /a\n  forward-header: Authorization\n", "rule 1 (/a): --forward-header authorization would key the cache on a credential"),
        ("path: /a\n", "is not a list of rules"),
        ("- [unclosed\n", "is neither YAML nor JSON"),
    ])
    func aBadRuleIsOneLineNamingTheRuleAndExit64(_ text: String, _ says: String) throws {
        let (dir, file) = try write(text)
        defer { try? FileManager.default.removeItem(at: dir) }
        for command in [["template"], ["deploy", "--stack-name", "x", "--region", "us-east-1"], ["local"], ["cost", "--region", "us-east-1"]] {
            let r = try cachedemo(command + ["--cache-rules", file], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
            #expect(r.status == 64, "\(command): \(r.stderr)")
            #expect(r.stderr.contains(says) && r.stderr.split(separator: "\n").count == 1, "\(command): \(r.stderr)")
        }
    }

    @Test func localRunsTheRules() throws {
        let (dir, file) = try write(Self.rules)
        defer { try? FileManager.default.removeItem(at: dir) }
        let local = try LocalRun(["--cache-rules", file])
        defer { local.stop() }
        let endpoint = try #require(local.doc["endpoint"] as? String)
        let http = CurlTransport()
        for _ in 0..<2 {
            #expect(try http.send(HTTPRequest(method: "GET", url: URL(string: endpoint + "/admin/stats")!)).header("x-cache") == "PASS")
        }
        let tenant = HTTPRequest(method: "GET", url: URL(string: endpoint + "/users/7?utm_source=mail")!, headers: [("X-Tenant", "a")])
        #expect(try http.send(tenant).header("x-cache") == "MISS")
        var other = tenant
        other.url = URL(string: endpoint + "/users/7")!
        #expect(try http.send(other).header("x-cache") == "HIT", "utm_* is not in the key")
        other.headers = [("X-Tenant", "b")]
        #expect(try http.send(other).header("x-cache") == "MISS", "X-Tenant is")
    }
}
