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
            
            Examples:
              cachedemo invalidate --stack-name cache-prod '/people?name=ada' /people/42
              cachedemo invalidate --stack-name cache-prod --prefix /people
              cachedemo invalidate --endpoint http://127.0.0.1:3000 --all
            """
    )

    @Argument(help: "Paths to purge, e.g. /people?name=ada")
    var paths: [String] = []

    @OptionGroup var cache: CacheEndpointOption

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
            if let bad = paths.first(where: { !$0.hasPrefix("/") }) { throw UsageFailure("path \(UserInput.quoted(bad)) must start with /") }
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
        let target = try cache.target()
        if case .url(let given) = target, LocalPurgeCredentials.isLoopback(given) {
            // Only `cachedemo local` listens on loopback: its key pair, never an AWS session.
            guard let local = LocalPurgeCredentials.forEndpoint(given) else {
                let where_ = given.port.map { LocalPurgeCredentials.file(port: $0).path }
                    ?? LocalPurgeCredentials.directory().path + "/<port>.json"
                throw OperationFailure("no purge key for \(given.absoluteString) at \(where_); is `cachedemo local` "
                    + "running on that port as this user?")
            }
            return (given, local.credentials, local.region)
        }
        let session = try aws.session()
        let url: URL
        switch target {
        case .url(let given): url = given
        case .stack(let name): url = try CacheEndpointOption.apiEndpoint(ofStack: name, session: session)
        }
        return (url, try runAWSOperation { try session.client.credentials.credentials() }, session.region)
    }
}
