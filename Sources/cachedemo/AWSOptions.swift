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

    /// A region given as a flag must look like one (us-east-1, eu-central-2, us-gov-west-1):
    /// a usage error in every command, before any file is read or call made.
    func validate() throws {
        if let region, !RegionResolver.isRegionName(region) {
            throw ValidationError("--region \(UserInput.quoted(region)) is not an AWS region name; use one like us-east-1")
        }
        if let profile, profile.isEmpty { throw ValidationError("--profile is empty; name a profile or leave the flag out") }
        if let endpointURL, EndpointResolver.httpURL(endpointURL) == nil {
            throw ValidationError("--endpoint-url \(UserInput.quoted(endpointURL)) is not an http(s) URL with a host (and a port from 1 to 65535)")
        }
    }

    /// The region alone (no credentials needed), the way a session would resolve it.
    func resolvedRegion() throws -> String {
        let env = ProcessInfo.processInfo.environment
        do {
            let config = try SharedConfig(environment: env)
            let chosen = try config.selectedProfile(explicit: profile, environment: env)
            return try RegionResolver.resolve(explicit: region, environment: env, profile: chosen).region
        } catch {
            throw failure(error)
        }
    }

    /// A profile named by --profile that does not exist is a usage mistake (64), like any
    /// bad flag; the same problem in the environment or the files is a failed operation (1).
    private func failure(_ error: ConfigError) -> Error {
        error.kind == .profileNotFound && profile != nil ? UsageFailure(error.description) : OperationFailure(error.description)
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
            throw failure(e)
        } catch let e as CredentialsError {
            throw OperationFailure(e.description)
        } catch let e as AWSError {
            throw OperationFailure(e.description)
        } catch let e as TransportError {
            throw OperationFailure(e.description)
        }
    }
}
