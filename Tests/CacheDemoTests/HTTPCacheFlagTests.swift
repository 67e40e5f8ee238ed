import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// Issue 22's flags: what the function is told (its environment), what is refused (one line,
/// exit 64, in every command that takes them), and secrets that never sit in the template.
@Suite struct HTTPCacheFlagTests {
    static let flags = ["--cache-control", "ignore", "--min-ttl", "30", "--max-ttl", "600", "--negative-ttl", "15",
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
        (["--cache-control", "sometimes"], "sometimes"),
        (["--forward-header", "Authorization"], "use --client-credentials pass"),
        (["--forward-header", "bad header"], "is not a header name"),
        (["--forward-header", "Host"], "sets itself"),
        (["--ignore-query-param", "*"], "is not a query parameter name"),
        (["--upstream-header", "X-Api-Key: abc123"], "carries a credential"),
        (["--upstream-header", "Authorization: Bearer x"], "use --upstream-secret 'authorization=secretsmanager:NAME'"),
        (["--upstream-header", "no colon"], "is not 'Name: value'"),
        (["--upstream-secret", "X-Api-Key=vault:x"], "is not a secret source"),
        (["--upstream-secret", "X-Api-Key=ssm:/prod/key"], "put the value in Secrets Manager"),
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
        (["--upstream-secret", "X-Api-Key=secretsmanager:prod/key"], "local has no AWS account to read Secrets Manager from"),
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
        let template = try cachedemo(["template"] + flags, environment: emulator.environment)
        #expect(!template.stdout.contains(key) && template.stdout.contains("{{resolve:secretsmanager:\(secretName):SecretString:apiKey}}"))
        #expect(try cachedemo(["destroy", "--stack-name", stack, "--yes"], environment: emulator.environment).status == 0)
    }
}
