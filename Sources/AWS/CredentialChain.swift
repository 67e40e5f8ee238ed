import Foundation

/// The SDKs' default chain: explicit keys, environment, web identity, shared files
/// (profiles, assume-role chains, credential_process), container credentials, then
/// EC2 instance metadata (IMDSv2). The first source that is configured wins; one
/// that is configured but broken is an error, not a reason to try the next.
public struct CredentialChain: Sendable {
    public struct Inputs: Sendable {
        public var accessKeyId: String?
        public var secretAccessKey: String?
        public var sessionToken: String?
        public var profile: String?
        public var environment: [String: String]
        public init(environment: [String: String]) { self.environment = environment }
    }

    let inputs: Inputs
    let config: SharedConfig
    /// STS calls (assume role, web identity) go through a client this makes.
    let stsClient: @Sendable (CredentialsProvider?) -> AWSClient
    let transport: HTTPTransport

    public init(inputs: Inputs, config: SharedConfig, transport: HTTPTransport,
                stsClient: @escaping @Sendable (CredentialsProvider?) -> AWSClient) {
        self.inputs = inputs
        self.config = config
        self.transport = transport
        self.stsClient = stsClient
    }

    var env: [String: String] { inputs.environment }

    /// The profile named by --profile or AWS_PROFILE; "default" otherwise.
    public var profileName: String { SharedConfig.profileName(explicit: inputs.profile, environment: env) }
    var profileWasChosen: Bool { inputs.profile != nil || env["AWS_PROFILE"] != nil }

    public func resolve() throws -> CredentialsProvider {
        if let id = inputs.accessKeyId ?? nil, let secret = inputs.secretAccessKey {
            return StaticCredentials(AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: inputs.sessionToken),
                                     source: "command-line flags")
        }
        if inputs.accessKeyId != nil || inputs.secretAccessKey != nil {
            throw CredentialsError("give both --access-key-id and --secret-access-key, or neither")
        }
        if !profileWasChosen {
            if let fromEnvironment = environmentCredentials { return fromEnvironment }
            if let tokenFile = env["AWS_WEB_IDENTITY_TOKEN_FILE"], let role = env["AWS_ROLE_ARN"] {
                return webIdentity(tokenFile: tokenFile, roleArn: role,
                                   sessionName: env["AWS_ROLE_SESSION_NAME"] ?? Self.defaultSessionName,
                                   source: "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)")
            }
        }
        if config.profile(profileName) != nil {
            return try profileProvider(profileName, visited: [])
        }
        if profileWasChosen {
            throw CredentialsError("profile \(UserInput.quoted(profileName)) is not in \(config.configPath) or \(config.credentialsPath); "
                + "check --profile / AWS_PROFILE")
        }
        if let container = ContainerCredentials(environment: env, transport: transport) {
            return RefreshingCredentials(source: "container credentials") { try container.fetch() }
        }
        if env["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
            let imds = InstanceMetadataCredentials(environment: env)
            if let first = try? imds.fetch() {
                let box = FirstValue(first)
                return RefreshingCredentials(source: "EC2 instance metadata (IMDSv2)") { try box.take() ?? imds.fetch() }
            }
        }
        throw CredentialsError("no AWS credentials found; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            + "use --profile, or run `aws configure`")
    }

    /// One profile: static keys, assume role (from a source profile or web identity), or credential_process.
    func profileProvider(_ name: String, visited: [String]) throws -> CredentialsProvider {
        guard !visited.contains(name) else {
            throw CredentialsError("profile \(UserInput.quoted(name)) is part of a source_profile loop: \((visited + [name]).joined(separator: " -> "))")
        }
        guard let p = config.profile(name) else {
            throw CredentialsError("profile '\(visited.last ?? name)' names source_profile \(UserInput.quoted(name)), which does not exist")
        }
        if let role = p["role_arn"] {
            let session = p["role_session_name"] ?? Self.defaultSessionName
            if let tokenFile = p["web_identity_token_file"] {
                return webIdentity(tokenFile: tokenFile, roleArn: role, sessionName: session,
                                   source: "profile \(name) (web identity)")
            }
            let sourceProvider: CredentialsProvider
            if let sourceName = p["source_profile"] {
                // A source profile's own keys, even if it also names a role (the SDKs do this too).
                if sourceName == name, let id = p["aws_access_key_id"], let secret = p["aws_secret_access_key"] {
                    sourceProvider = StaticCredentials(AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                                                      sessionToken: p["aws_session_token"]), source: "profile \(name)")
                } else {
                    sourceProvider = try profileProvider(sourceName, visited: visited + [name])
                }
            } else if p["credential_source"] == "Environment" {
                guard let fromEnvironment = environmentCredentials else {
                    throw CredentialsError("profile \(UserInput.quoted(name)) uses credential_source = Environment, but AWS_ACCESS_KEY_ID is not set")
                }
                sourceProvider = fromEnvironment
            } else {
                throw CredentialsError("profile \(UserInput.quoted(name)) has role_arn but no source_profile, credential_source or web_identity_token_file")
            }
            let externalId = p["external_id"]
            let duration = p["duration_seconds"].flatMap(Int.init)
            let sts = stsClient(sourceProvider)
            return RefreshingCredentials(source: "profile \(name) (assume role \(role))") {
                try STS(client: sts).assumeRole(roleArn: role, sessionName: session, externalId: externalId,
                                                durationSeconds: duration)
            }
        }
        if let command = p["credential_process"] {
            return RefreshingCredentials(source: "profile \(name) (credential_process)") {
                try CredentialProcess.run(command, profile: name)
            }
        }
        if let id = p["aws_access_key_id"] {
            guard let secret = p["aws_secret_access_key"] else {
                throw CredentialsError("profile \(UserInput.quoted(name)) has aws_access_key_id but no aws_secret_access_key")
            }
            return StaticCredentials(AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: p["aws_session_token"]),
                                     source: "profile \(name)")
        }
        if p["sso_session"] != nil || p["sso_start_url"] != nil {
            throw CredentialsError("profile \(UserInput.quoted(name)) uses IAM Identity Center (SSO), which cachedemo does not support yet; "
                + "export credentials with `aws configure export-credentials --profile \(name) --format env`")
        }
        throw CredentialsError("profile \(UserInput.quoted(name)) has no credentials (no keys, role_arn or credential_process)")
    }

    /// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), when both are set.
    var environmentCredentials: StaticCredentials? {
        guard let id = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"], !id.isEmpty, !secret.isEmpty
        else { return nil }
        return StaticCredentials(AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                                sessionToken: env["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }),
                                 source: "environment")
    }

    /// What an assumed role's session is called when the profile or environment names none.
    static var defaultSessionName: String { "cachedemo-\(Int(Date().timeIntervalSince1970))" }

    func webIdentity(tokenFile: String, roleArn: String, sessionName: String, source: String) -> CredentialsProvider {
        let sts = stsClient(nil)
        return RefreshingCredentials(source: source) {
            guard let data = FileManager.default.contents(atPath: tokenFile),
                  case let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                  !token.isEmpty
            else { throw CredentialsError("cannot read the web identity token file \(tokenFile)") }
            return try STS(client: sts).assumeRoleWithWebIdentity(roleArn: roleArn, sessionName: sessionName, token: token)
        }
    }
}

/// Hands out a value once, then nil: lets the chain reuse the credentials it probed with.
final class FirstValue: @unchecked Sendable {
    private var value: AWSCredentials?
    private let lock = NSLock()
    init(_ v: AWSCredentials) { value = v }
    func take() -> AWSCredentials? { lock.withLock { defer { value = nil }; return value } }
}
