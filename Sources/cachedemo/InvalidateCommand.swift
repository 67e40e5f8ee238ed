import AWS
import ArgumentParser
import CacheDemo
import Foundation

struct InvalidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invalidate",
        abstract: "Purge cache entries through the IAM-protected DELETE route, signed with SigV4.",
        discussion: """
            Each PATH is purged with the same normalization as a GET (so /p?b=2&a=1 purges /p?a=1&b=2). \
            On AWS your identity needs execute-api:Invoke on the DELETE routes; against `cachedemo local` \
            the key pair that run generated is used.
            """
    )

    @Argument(help: "Paths to purge, e.g. /people?name=ada")
    var paths: [String] = []

    @Option(name: .customLong("stack-name"), help: "Purge the cache of this stack (its ApiEndpoint output).")
    var stackName: String?

    @Option(help: "Purge the cache at this URL instead, e.g. a `cachedemo local` endpoint.")
    var endpoint: String?

    @Flag(help: "Purge every entry under each path.")
    var prefix = false

    @Flag(help: "Purge the whole cache (no paths).")
    var all = false

    @OptionGroup var aws: AWSOptions
    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            if all && (!paths.isEmpty || prefix) { throw UsageFailure("--all purges everything: give no paths and no --prefix") }
            if !all && paths.isEmpty { throw UsageFailure("give the paths to purge (e.g. /people?name=ada), or --all") }
            if let bad = paths.first(where: { !$0.hasPrefix("/") }) { throw UsageFailure("path '\(bad)' must start with /") }
            let (url, credentials, region) = try target()
            let outcomes = Invalidator(endpoint: url, credentials: credentials, region: region)
                .purge(paths: paths, mode: all ? .all : prefix ? .prefix : .key)
            switch output.format {
            case .json:
                printJSON(["endpoint": url.absoluteString, "results": outcomes.map {
                    ["path": $0.path, "status": $0.status, "removed": $0.removed ?? NSNull(), "ok": $0.succeeded, "message": $0.message] as [String: Any]
                }])
            case .text:
                for o in outcomes { say("\(o.succeeded ? "ok  " : "FAIL")  \(o.path)  \(o.message)") }
            }
            let failed = outcomes.filter { !$0.succeeded }
            if !failed.isEmpty {
                throw OperationFailure("\(failed.count) of \(outcomes.count) purges failed; first: \(failed[0].path): \(failed[0].message)")
            }
        }
    }

    /// The endpoint and the key pair that signs for it.
    func target() throws -> (URL, AWSCredentials, String) {
        switch (endpoint, stackName) {
        case (let e?, nil):
            let url = try httpURL(e, flag: "--endpoint")
            if let local = LocalPurgeCredentials.forEndpoint(url) { return (url, local.credentials, local.region) }
            let session = try aws.session()
            return (url, try runStackOperation { try session.client.credentials.credentials() }, session.region)
        case (nil, let name?):
            let session = try aws.session()
            let stack = try runStackOperation { try CloudFormationClient(client: session.client).describeStack(name) }
            guard let url = stack?.outputs[CacheStack.OutputName.apiEndpoint].flatMap(URL.init(string:)) else {
                throw OperationFailure("stack \(name) does not exist in \(session.region) or has no ApiEndpoint output")
            }
            return (url, try runStackOperation { try session.client.credentials.credentials() }, session.region)
        case (nil, nil): throw UsageFailure("give --stack-name NAME or --endpoint URL")
        case (_?, _?): throw UsageFailure("give --stack-name or --endpoint, not both")
        }
    }
}
