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
        discussion: "No AWS account and no Docker needed. Stays in the foreground; Ctrl-C stops everything it started.\n\nExamples:\n  cachedemo local\n  cachedemo local --port 3000 --upstream-url https://api.agify.io\n  cachedemo local --smoke-test\n  cachedemo local --shards 3 --replicas 1\n  cachedemo local --serverless --smoke-test"
    )

    @Option(help: "Port for the API front on 127.0.0.1 (default: a free one).")
    var port: Int?

    @Option(name: .customLong("upstream-url"), help: "Cache this API instead of the built-in demo upstream.")
    var upstreamURL: String?

    @OptionGroup var caching: CachingArguments

    @OptionGroup var upstreamAccess: UpstreamAccessArguments

    @OptionGroup var throttle: ThrottleArguments

    @Option(name: .customLong("cache-auth"),
            help: "token (redis-server's AUTH token; the default here) or iam (IAM tokens, checked by a proxy in front of redis-server, as ElastiCache does).")
    var cacheAuth: StackOptions.CacheAuth = .token

    /// The same shape flags as deploy's; local runs what a machine can (see `clusterShape`).
    @OptionGroup var cache: CacheShapeArguments

    @Option(help: "The node executable.", completion: .file())
    var node = "node"

    @Option(name: .customLong("redis-server"), help: "The redis-server executable.", completion: .file())
    var redisServer = "redis-server"

    @Flag(name: .customLong("smoke-test"), help: "Start, run the smoke test against it, stop, and exit with its result.")
    var smokeTest = false

    @Flag(help: "Show the servers' and the function's own output on stderr.")
    var verbose = false

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            if let port, !(1...65535).contains(port) { throw UsageFailure("--port \(port) is not a TCP port (1-65535)") }
            for (flag, value, tool) in [("--node", node, "node"), ("--redis-server", redisServer, "redis-server")] where value.isEmpty {
                throw UsageFailure("\(flag) is empty; give the name or path of \(tool), or leave the flag out")
            }
            if smokeTest { try SmokeTestReporting.checkBeforeRunning(junitXML: nil) }
            if let upstreamURL {
                _ = try asUsage(upstreamURL) { _ = try UpstreamURL($0) }
            }
            var options = LocalRuntime.Options()
            options.port = port
            options.upstreamURL = upstreamURL
            options.caching = try caching.validated()
            options.upstreamAccess = try asUsage(try upstreamAccess.access()) {
                try $0.validate(local: true, forwardHeaders: options.caching.forwardHeaders)
            }
            options.throttle = try throttle.validated()
            options.cacheAuth = cacheAuth
            try clusterShape(into: &options)
            options.node = node
            options.redisServer = redisServer
            options.verbose = verbose
            let runtime = LocalRuntime(options: options)
            let signals = SignalWatcher.install(runtime: runtime)
            let endpoints: LocalRuntime.Endpoints
            do { endpoints = try runtime.start() } catch {
                runtime.stop()
                try signals.exitIfStopped()  // a signal during start-up is a stop, not a failure
                throw OperationFailure((error as? LocalError)?.description
                    ?? "cachedemo local could not start: \(error.localizedDescription)")
            }

            if smokeTest {
                var smoke = SmokeTest.Options(endpoint: URL(string: endpoints.api)!)
                smoke.errorPath = endpoints.errorPath
                defer { runtime.stop() }
                // Stopped half-way, it reports nothing: a cut-short run is neither a pass nor a failure.
                try SmokeTestReporting.runAndReport(smoke, format: output.format, junitXML: nil, stopped: { signals.stopRequested })
                runtime.stop()
                try signals.exitIfStopped()
                return
            }

            switch output.format {
            case .json:
                printJSON(["endpoint": endpoints.api, "upstream": endpoints.upstream, "redis": endpoints.redis,
                           "clusterPorts": endpoints.clusterPorts,
                           "pids": runtime.children.pids, "stateDirectory": endpoints.stateDirectory,
                           "purgeCredentialsFile": endpoints.purgeCredentialsFile])
            case .text:
                say("""
                    cachedemo local is running (Ctrl-C to stop)
                      endpoint   \(endpoints.api)
                      upstream   \(endpoints.upstream)\(upstreamURL == nil ? " (demo)" : "")
                      redis      \(endpoints.redis) (TLS, \(redisDescription(endpoints)))
                      purge key  \(endpoints.purgeCredentialsFile) (DELETE needs a SigV4 signature made with it)
                    try:    curl -i '\(endpoints.api)/?name=ada'   (twice: x-cache MISS, then HIT)
                    purge:  cachedemo invalidate --endpoint \(endpoints.api) '/?name=ada'
                    """)
            }
            signals.waitForStop()
            runtime.stop()
            try signals.exitIfStopped()
        }
    }
}

extension LocalCommand {
    /// The cache shape, checked by the same rules as every other command's, then against
    /// what a machine runs: 2 to 16 primaries, 0 to 2 replicas each, no serverless limits.
    func clusterShape(into options: inout LocalRuntime.Options) throws {
        var stack = StackOptions()
        stack.cache = try cache.choice()
        let shape = try asUsage(stack) { try $0.validateCacheShape() }.cacheShape
        if case .sharded(let shards, let replicas) = shape {
            guard shards <= 16 else { throw UsageFailure("--shards \(shards): local runs 2 to 16 primaries (drop --shards for one redis-server)") }
            guard replicas <= 2 else { throw UsageFailure("--replicas \(replicas): local runs 0 to 2 per primary") }
        }
        if cache.maxDataGB != nil || cache.maxECPUPerSecond != nil {
            throw UsageFailure("--max-data-gb and --max-ecpu-per-second limit ElastiCache Serverless; local's stand-in has none: drop them")
        }
        if shape != .primary && cacheAuth == .iam {
            throw UsageFailure("--cache-auth iam runs one redis-server behind a checking proxy; a cluster's nodes are "
                + "reached directly: use --cache-auth token with --shards or --serverless")
        }
        options.cacheShape = shape
    }

    func redisDescription(_ endpoints: LocalRuntime.Endpoints) -> String {
        if cache.serverless { return "one-node cluster standing in for serverless, an RBAC user and password for this run" }
        if let shards = cache.shards, shards > 1 {
            return "Redis Cluster: \(shards) primaries × \(1 + (cache.replicas ?? 0)) nodes on ports "
                + endpoints.clusterPorts.map(String.init).joined(separator: ",") + ", AUTH on each"
        }
        return cacheAuth == .iam ? "IAM auth tokens checked by a proxy" : "AUTH token generated for this run"
    }
}

/// SIGINT, SIGTERM or SIGHUP (a closed terminal) stop `cachedemo local`, at any moment,
/// start-up included: the handler only asks (no child starts after it, each running one is
/// told to stop); the main thread, which started everything, waits for the children and
/// removes the files, then exits 128 + the signal, as every command does. A failed write to
/// stdout stops it the same way.
final class SignalWatcher: @unchecked Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []
    /// If the main thread's clean-up hangs, the stop still ends, this long after the signal.
    static let watchdogSeconds = 15.0

    static func install(runtime: LocalRuntime) -> SignalWatcher {
        let watcher = SignalWatcher()
        ExitHooks.add { runtime.stop() }
        watcher.sources = StopSignals.handle { sig in
            Interruption.shared.request(signal: sig)
            runtime.children.terminateAll()
            watcher.stopped.signal()
            // The main thread's clean-up hung: leave without it (no lock taken, no file removed
            // under a thread still writing). The children die with us (parent-death signal) and
            // the next run removes the folder.
            DispatchQueue.global().asyncAfter(deadline: .now() + watchdogSeconds) {
                writeStderr("cachedemo local stopped (its clean-up did not finish; the next run removes its files)\n")
                _exit(128 + sig)
            }
        }
        return watcher
    }

    var stopRequested: Bool { Interruption.shared.requested }

    func waitForStop() { stopped.wait() }

    /// After a stop signal (everything already stopped): one line, and 128 + the signal.
    func exitIfStopped() throws {
        guard let sig = Interruption.shared.requestedBy else { return }
        writeStderr("cachedemo local stopped\n")
        throw ExitCodeError.interrupted(signal: sig)
    }
}
