import ArgumentParser
import CacheDemo
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct LocalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Run the Lambda zip on this machine: TLS+AUTH redis-server, an API Gateway-style front, a demo upstream.",
        discussion: "No AWS account and no Docker needed. Stays in the foreground; Ctrl-C stops everything it started.\n\nExamples:\n  cachedemo local\n  cachedemo local --port 3000 --upstream-url https://api.agify.io\n  cachedemo local --smoke-test"
    )

    @Option(help: "Port for the API front on 127.0.0.1 (default: a free one).")
    var port: Int?

    @Option(name: .customLong("upstream-url"), help: "Cache this API instead of the built-in demo upstream.")
    var upstreamURL: String?

    @OptionGroup var caching: CachingArguments

    @OptionGroup var throttle: ThrottleArguments

    @Option(name: .customLong("cache-auth"),
            help: "token (redis-server's AUTH token; the default here) or iam (IAM tokens, checked by a proxy in front of redis-server, as ElastiCache does).")
    var cacheAuth: StackOptions.CacheAuth = .token

    @Option(help: "The node executable.")
    var node = "node"

    @Option(name: .customLong("redis-server"), help: "The redis-server executable.")
    var redisServer = "redis-server"

    @Flag(name: .customLong("smoke-test"), help: "Start, run the smoke test against it, stop, and exit with its result.")
    var smokeTest = false

    @Flag(help: "Show the servers' and the function's own output on stderr.")
    var verbose = false

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            if let port, !(1...65535).contains(port) { throw UsageFailure("--port \(port) is not a TCP port (1-65535)") }
            if let upstreamURL {
                _ = try asUsage(upstreamURL) { _ = try UpstreamURL($0) }
            }
            var options = LocalRuntime.Options()
            options.port = port
            options.upstreamURL = upstreamURL
            options.caching = try caching.validated()
            options.throttle = try throttle.validated()
            options.cacheAuth = cacheAuth
            options.node = node
            options.redisServer = redisServer
            options.verbose = verbose
            let runtime = LocalRuntime(options: options)
            let signals = SignalWatcher.install(runtime: runtime)
            let endpoints: LocalRuntime.Endpoints
            do { endpoints = try runtime.start() } catch let e as LocalError {
                runtime.stop()
                throw OperationFailure(e.description)
            } catch {
                runtime.stop()
                throw OperationFailure("cachedemo local could not start: \(error.localizedDescription)")
            }

            if smokeTest {
                defer { runtime.stop() }
                var smoke = SmokeTest.Options(endpoint: URL(string: endpoints.api)!)
                smoke.errorPath = endpoints.errorPath
                try SmokeTestReporting.runAndReport(smoke, format: output.format, junitXML: nil)
                return
            }

            switch output.format {
            case .json:
                printJSON(["endpoint": endpoints.api, "upstream": endpoints.upstream, "redis": endpoints.redis,
                           "pids": runtime.children.pids, "stateDirectory": endpoints.stateDirectory,
                           "purgeCredentialsFile": endpoints.purgeCredentialsFile])
            case .text:
                say("""
                    cachedemo local is running (Ctrl-C to stop)
                      endpoint   \(endpoints.api)
                      upstream   \(endpoints.upstream)\(upstreamURL == nil ? " (demo)" : "")
                      redis      \(endpoints.redis) (TLS, \(cacheAuth == .iam ? "IAM auth tokens checked by a proxy" : "AUTH token generated for this run"))
                      purge key  \(endpoints.purgeCredentialsFile) (DELETE needs a SigV4 signature made with it)
                    try:    curl -i '\(endpoints.api)/?name=ada'   (twice: x-cache MISS, then HIT)
                    purge:  cachedemo invalidate --endpoint \(endpoints.api) '/?name=ada'
                    """)
            }
            signals.waitForStop()
        }
    }
}

/// Stops the runtime on SIGINT, SIGTERM or SIGHUP (a closed terminal), so no child and no
/// key file outlives `cachedemo local`; a failed write to stdout stops it the same way.
final class SignalWatcher: @unchecked Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []

    static func install(runtime: LocalRuntime) -> SignalWatcher {
        let watcher = SignalWatcher()
        ExitHooks.add { runtime.stop() }
        watcher.sources = StopSignals.handle { sig in
            ExitHooks.runAll()
            writeStderr("cachedemo local stopped\n")
            exit(sig == SIGTERM ? 0 : 128 + sig)
        }
        return watcher
    }

    func waitForStop() { stopped.wait() }
}
