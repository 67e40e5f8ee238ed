import AWS
import ArgumentParser
import Foundation

/// The flags every command that talks to AWS shares.
struct AWSOptions: ParsableArguments {
    @Option(help: "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region).")
    var region: String?

    @Option(help: "Profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, then default).")
    var profile: String?

    @Option(name: .customLong("endpoint-url"), help: "Send every AWS call here (S3 included), e.g. a local emulator.")
    var endpointURL: String?

    @Flag(help: "Show the credential source, each request, the canonical request and string to sign (secrets redacted).")
    var debug = false

    /// The region alone (no credentials needed), the way a session would resolve it.
    func resolvedRegion() throws -> String {
        let env = ProcessInfo.processInfo.environment
        do {
            let config = try SharedConfig(environment: env)
            let chosen = config.profile(SharedConfig.profileName(explicit: profile, environment: env))
            return try RegionResolver.resolve(explicit: region, environment: env, profile: chosen).region
        } catch {
            if region != nil { throw UsageFailure(error.description) }
            throw OperationFailure(error.description)
        }
    }

    /// The session, or one line saying what is wrong with the configuration.
    func session() throws -> AWSSession {
        var o = AWSSession.Options()
        o.profile = profile
        o.region = region
        o.endpointURL = endpointURL
        o.debug = debug
        do {
            return try AWSSession.make(o)
        } catch let e as ConfigError {
            throw OperationFailure(e.description)
        } catch let e as CredentialsError {
            throw OperationFailure(e.description)
        } catch let e as AWSError {
            throw OperationFailure(e.description)
        } catch let e as TransportError {
            throw OperationFailure(e.description)
        }
    }
}
