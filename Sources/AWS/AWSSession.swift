import Foundation

/// Everything a command needs to call AWS, resolved once from flags, the environment
/// and the shared config files, the way the AWS CLI and SDKs resolve them.
public struct AWSSession: Sendable {
    public struct Options: Sendable {
        public var profile: String?
        public var region: String?
        public var endpointURL: String?
        public var debug = false
        public var environment: [String: String]
        public init(environment: [String: String] = ProcessInfo.processInfo.environment) { self.environment = environment }
    }

    public let client: AWSClient
    public let regionSource: String
    public var region: String { client.region }
    public var credentialSource: String { client.credentials.source }

    static let debugPrinter: @Sendable (String) -> Void = { line in
        _ = FileDescriptorWriter.writeAll(STDERR_FILENO, Data("debug: \(line)\n".utf8))
    }

    public static func make(_ options: Options, transport: HTTPTransport? = nil) throws -> AWSSession {
        let env = options.environment
        let config = try SharedConfig(environment: env)
        let profile = try config.selectedProfile(explicit: options.profile, environment: env)
        try CurlTransport.checkEnvironment(env)
        try EndpointResolver.checkEnvironment(env)
        let (region, regionSource) = try RegionResolver.resolve(explicit: options.region, environment: env, profile: profile)
        var explicit: URL?
        if let e = options.endpointURL ?? profile?["endpoint_url"] {
            guard let u = EndpointResolver.httpURL(e) else {
                throw ConfigError("\(options.endpointURL != nil ? "--endpoint-url" : "the profile's endpoint_url") \(UserInput.quoted(e)) is not an http(s) URL")
            }
            explicit = u
        }
        let endpoints = EndpointResolver(explicit: explicit, environment: env)
        let transport = transport ?? CurlTransport(environment: env)
        let retry = try RetryPolicy.from(environment: env, profile: profile)
        let debug = options.debug ? Self.debugPrinter : nil

        var inputs = CredentialChain.Inputs(environment: env)
        inputs.profile = options.profile
        let makeClient: @Sendable (CredentialsProvider) -> AWSClient = { credentials in
            let c = AWSClient(region: region, credentials: credentials, endpoints: endpoints, transport: transport, retry: retry)
            c.debug = debug
            c.notice = { line in _ = FileDescriptorWriter.writeAll(STDERR_FILENO, Data("\(line)\n".utf8)) }
            return c
        }
        // STS calls of the chain itself: signed by a source profile's credentials, or unsigned (web identity).
        let anonymous = StaticCredentials(AWSCredentials(accessKeyId: "", secretAccessKey: ""), source: "none")
        let chain = CredentialChain(inputs: inputs, config: config, transport: transport,
                                    stsClient: { makeClient($0 ?? anonymous) })
        let credentials = try chain.resolve()
        debug?("credentials from \(credentials.source); region \(region) from \(regionSource)")
        return AWSSession(client: makeClient(credentials), regionSource: regionSource)
    }
}
