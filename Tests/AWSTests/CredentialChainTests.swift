import Foundation
import Testing
import TestSupport

@testable import AWS

/// A temporary HOME with ~/.aws files.
struct FakeHome {
    let dir: URL

    init(config: String? = nil, credentials: String? = nil) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        if let config { try config.write(to: dir.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8) }
        if let credentials {
            try credentials.write(to: dir.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        }
    }

    func session(_ env: [String: String] = [:], profile: String? = nil, region: String? = "us-east-1") throws -> AWSSession {
        var o = AWSSession.Options(environment: ["HOME": dir.path, "AWS_EC2_METADATA_DISABLED": "true"].merging(env) { $1 })
        o.profile = profile
        o.region = region
        return try AWSSession.make(o)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

@Suite struct CredentialChainTests {
    @Test func environmentWinsOverTheDefaultProfile() throws {
        let home = try FakeHome(credentials: "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n")
        defer { home.remove() }
        let s = try home.session(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e", "AWS_SESSION_TOKEN": "t"])
        #expect(s.credentialSource == "environment")
        let c = try s.client.credentials.credentials()
        #expect(c.accessKeyId == "AKIDENV" && c.sessionToken == "t")
        let fromFile = try home.session()
        #expect(fromFile.credentialSource == "profile default")
        #expect(try fromFile.client.credentials.credentials().accessKeyId == "AKIDPROFILE")
    }

    @Test func aChosenProfileWinsOverTheEnvironmentAndConfigProfilesUseThePrefix() throws {
        let home = try FakeHome(config: "[profile dev]\nregion = eu-central-1\n# comment\n; other comment\n",
                                credentials: "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = d # trailing\n")
        defer { home.remove() }
        let s = try home.session(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e", "AWS_PROFILE": "dev"], region: nil)
        #expect(s.credentialSource == "profile dev")
        #expect(s.region == "eu-central-1")
        #expect(try s.client.credentials.credentials().secretAccessKey == "d")
    }

    /// A credential_process that hangs is stopped at the bound (not orphaned); one that fails
    /// has its own stderr passed through, where it says why.
    @Test func aHangingOrFailingCredentialProcessIsBoundedAndHeard() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pidFile = dir.appendingPathComponent("pid").path
        let started = Date()
        // The shell forks the sleep: both must go, not only the shell.
        let hung = #expect(throws: CredentialsError.self) {
            try CredentialProcess.run("echo $$ > \(pidFile); sleep 30; true", profile: "slow", timeout: 1)
        }
        #expect(hung?.description.contains("gave no answer in 1 s and was stopped") == true)
        #expect(Date().timeIntervalSince(started) < 10)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) != 0, "credential_process \(pid) outlived its bound")
        // (what the shell started is reaped by init, a moment later)
        for _ in 0..<40 where kill(-pid, 0) == 0 { usleep(50_000) }
        #expect(kill(-pid, 0) != 0, "a process credential_process \(pid) started outlived it")

        // Its stderr reaches the user, above cachedemo's one line.
        let home = try FakeHome(config: "[profile sso]\nregion = us-east-1\ncredential_process = sh -c 'echo run aws sso login >&2; exit 3'\n")
        defer { home.remove() }
        let failing = try cachedemo(["whoami", "--profile", "sso"], environment: ["HOME": home.dir.path, "PATH": "/usr/bin:/bin"])
        #expect(failing.status == 1)
        #expect(failing.stderr == "run aws sso login\ncachedemo: error: credential_process of profile 'sso' exited with status 3 "
            + "(its own message, if any, is above)\n")
    }

    @Test func missingProfileAndMalformedFilesAreOneClearLine() throws {
        let home = try FakeHome(credentials: "[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
        defer { home.remove() }
        // Named first, before the region or credentials are looked for, with the files looked in.
        #expect(throws: ConfigError.self) { try home.session(profile: "nope") }
        do { _ = try home.session(profile: "nope") } catch {
            #expect("\(error)".contains("profile 'nope'"))
            #expect("\(error)".contains(".aws/config") && "\(error)".contains(".aws/credentials"))
        }
        let fromEnvironment = #expect(throws: ConfigError.self) { try home.session(["AWS_PROFILE": "gone"], region: nil) }
        #expect(fromEnvironment?.description.contains("profile 'gone' (from AWS_PROFILE)") == true)
        let broken = try FakeHome(config: "[profile x]\nregion = us-east-1\nthis line is wrong\n")
        defer { broken.remove() }
        do {
            _ = try broken.session()
            Issue.record("a malformed config file was accepted")
        } catch let e as ConfigError {
            #expect(e.description.contains(".aws/config:3"), "\(e)")
        }
        let unclosed = try FakeHome(credentials: "[default\naws_access_key_id = A\n")
        defer { unclosed.remove() }
        #expect(throws: ConfigError.self) { try unclosed.session() }
    }

    @Test func credentialProcessAndItsFailures() throws {
        let home = try FakeHome(config: """
            [profile proc]
            credential_process = printf '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"p","SessionToken":"tok","Expiration":"2099-01-01T00:00:00Z"}'
            [profile failing]
            credential_process = sh -c 'exit 3'
            [profile garbage]
            credential_process = echo not-json
            """)
        defer { home.remove() }
        let s = try home.session(profile: "proc")
        let c = try s.client.credentials.credentials()
        #expect(c.accessKeyId == "AKIDPROC" && c.sessionToken == "tok" && c.expiration != nil)
        #expect(s.credentialSource.contains("credential_process"))
        for (profile, text) in [("failing", "exited with status 3"), ("garbage", "Version 1 JSON")] {
            let p = try home.session(profile: profile)
            do {
                _ = try p.client.credentials.credentials()
                Issue.record("\(profile) gave credentials")
            } catch let e as CredentialsError {
                #expect(e.description.contains(text), "\(e)")
            }
        }
    }

    @Test func sourceProfileLoopsAndMissingSourcesAreNamed() throws {
        let home = try FakeHome(config: """
            [profile a]
            role_arn = arn:aws:iam::1:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::1:role/b
            source_profile = a
            [profile orphan]
            role_arn = arn:aws:iam::1:role/o
            source_profile = ghost
            """)
        defer { home.remove() }
        do { _ = try home.session(profile: "a"); Issue.record("loop accepted") } catch let e as CredentialsError {
            #expect(e.description.contains("loop"))
        }
        do { _ = try home.session(profile: "orphan"); Issue.record("missing source accepted") } catch let e as CredentialsError {
            #expect(e.description.contains("ghost"))
        }
    }

    @Test func regionOrderAndErrors() throws {
        let home = try FakeHome(config: "[default]\nregion = ap-southeast-1\n",
                                credentials: "[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
        defer { home.remove() }
        #expect(try home.session(region: nil).region == "ap-southeast-1")
        #expect(try home.session(["AWS_DEFAULT_REGION": "eu-west-2"], region: nil).region == "eu-west-2")
        #expect(try home.session(["AWS_DEFAULT_REGION": "eu-west-2", "AWS_REGION": "us-west-2"], region: nil).region == "us-west-2")
        #expect(try home.session(["AWS_REGION": "us-west-2"], region: "ca-central-1").region == "ca-central-1")
        #expect(throws: ConfigError.self) { try home.session(region: "mars-1") }
        let noRegion = try FakeHome(credentials: "[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
        defer { noRegion.remove() }
        do { _ = try noRegion.session(region: nil); Issue.record("no region accepted") } catch let e as ConfigError {
            #expect(e.description.contains("--region"))
        }
    }

    @Test func endpointOverridesApplyToEveryServiceS3Included() {
        let env = ["AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_ENDPOINT_URL_S3": "http://localhost:9000"]
        let r = EndpointResolver(explicit: nil, environment: env)
        #expect(r.endpoint(for: .s3, region: "eu-west-1").url.absoluteString == "http://localhost:9000")
        #expect(r.endpoint(for: .cloudformation, region: "eu-west-1").url.absoluteString == "http://localhost:4566")
        let explicit = EndpointResolver(explicit: URL(string: "http://127.0.0.1:1"), environment: env)
        #expect(explicit.endpoint(for: .s3, region: "us-east-1").url.absoluteString == "http://127.0.0.1:1")
        let aws = EndpointResolver(explicit: nil, environment: [:])
        #expect(aws.endpoint(for: .cloudformation, region: "eu-west-1").url.absoluteString == "https://cloudformation.eu-west-1.amazonaws.com")
        #expect(aws.endpoint(for: .sts, region: "cn-north-1").url.absoluteString == "https://sts.cn-north-1.amazonaws.com.cn")
        #expect(EndpointResolver.partition(region: "us-gov-west-1") == "aws-us-gov")
        // Global services sign in their partition's home region, whatever the caller's.
        #expect(EndpointResolver.signingRegion(for: .iam, region: "eu-west-1") == "us-east-1")
        #expect(EndpointResolver.signingRegion(for: .iam, region: "cn-northwest-1") == "cn-north-1")
        #expect(EndpointResolver.signingRegion(for: .iam, region: "us-gov-east-1") == "us-gov-west-1")
        #expect(EndpointResolver.signingRegion(for: .pricing, region: "ap-northeast-1") == "us-east-1")
        #expect(EndpointResolver.signingRegion(for: .s3, region: "ap-northeast-1") == "ap-northeast-1")
        #expect(aws.endpoint(for: .iam, region: "cn-northwest-1").url.absoluteString == "https://iam.cn-north-1.amazonaws.com.cn")
        // Custom endpoints use path-style S3 addressing; AWS uses virtual hosts.
        #expect(AWSClient.url(base: URL(string: "http://127.0.0.1:5000")!, path: "/k", query: [], bucket: "b", pathStyle: true)
            .absoluteString == "http://127.0.0.1:5000/b/k")
        #expect(AWSClient.url(base: URL(string: "https://s3.eu-west-1.amazonaws.com")!, path: "/k", query: [], bucket: "b",
                              pathStyle: false).absoluteString == "https://b.s3.eu-west-1.amazonaws.com/k")
        // An object's URL for other services (a TemplateURL) follows the same rule.
        let anonymous = StaticCredentials(AWSCredentials(accessKeyId: "a", secretAccessKey: "s"), source: "test")
        let onAWS = S3(client: AWSClient(region: "cn-north-1", credentials: anonymous, endpoints: aws))
        #expect(onAWS.objectURL("b", key: "p/t.json") == "https://b.s3.cn-north-1.amazonaws.com.cn/p/t.json")
        let local = S3(client: AWSClient(region: "us-east-1", credentials: anonymous, endpoints: explicit))
        #expect(local.objectURL("b", key: "p/t.json") == "http://127.0.0.1:1/b/p/t.json")
    }

    @Test func containerAndInstanceMetadataCredentials() throws {
        let server = try HelperProcess("python3", [Paths.fakeServers, "metadata"])
        defer { server.stop() }
        let port = server.firstLine
        let home = try FakeHome()
        defer { home.remove() }
        let tokenFile = home.dir.appendingPathComponent("container-token")
        try Data("container-auth-token\n".utf8).write(to: tokenFile)
        let container = try home.session(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(port)/container-creds",
                                          "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile.path])
        #expect(container.credentialSource == "container credentials")
        #expect(try container.client.credentials.credentials().accessKeyId == "ASIACONTAINER")

        var o = AWSSession.Options(environment: ["HOME": home.dir.path,
                                                 "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"])
        o.region = "us-east-1"
        let imds = try AWSSession.make(o)
        #expect(imds.credentialSource.contains("IMDSv2"))
        let c = try imds.client.credentials.credentials()
        #expect(c.accessKeyId == "ASIAMETADATA" && c.sessionToken == "metadata-token")

        var disabled = o
        disabled.environment["AWS_EC2_METADATA_DISABLED"] = "true"
        #expect(throws: CredentialsError.self) { try AWSSession.make(disabled) }
    }

    @Test func temporaryCredentialsAreRefreshedBeforeTheyExpire() throws {
        final class Clock: @unchecked Sendable { var now = Date(timeIntervalSince1970: 1_000_000) }
        final class Counter: @unchecked Sendable { var n = 0 }
        let clock = Clock(), fetches = Counter()
        let provider = RefreshingCredentials(source: "test", now: { clock.now }) {
            fetches.n += 1
            return AWSCredentials(accessKeyId: "ASIA\(fetches.n)", secretAccessKey: "s", sessionToken: "t",
                                  expiration: clock.now.addingTimeInterval(3600))
        }
        #expect(try provider.credentials().accessKeyId == "ASIA1")
        clock.now += 3000  // 10 minutes before expiry: still good
        #expect(try provider.credentials().accessKeyId == "ASIA1")
        clock.now += 360  // 4 minutes before expiry: inside the 5-minute window
        #expect(try provider.credentials().accessKeyId == "ASIA2")
        #expect(fetches.n == 2)
    }

    @Test func secretsNeverAppearInDescriptions() {
        let c = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "very-secret", sessionToken: "session-tok")
        #expect(!"\(c)".contains("very-secret") && !"\(c)".contains("session-tok"))
        #expect(!String(reflecting: c).contains("very-secret"))
    }
}
