import AWS
import Foundation

/// `cachedemo local`: the same zip as on AWS, run on this machine. redis-server with TLS
/// and an AUTH token (like ElastiCache in-transit encryption), the function unzipped
/// behind an API Gateway-style front under Node, and a demo upstream.
public final class LocalRuntime: @unchecked Sendable {
    public struct Options: Sendable {
        public var port: Int?
        public var upstreamURL: String?
        public var caching = CachingOptions()
        /// Headers and secrets for the upstream; the secrets' values read when the run starts.
        public var upstreamAccess = UpstreamAccess()
        public var throttle = ThrottleOptions()
        public var cacheAuth = StackOptions.CacheAuth.token
        /// One redis-server; a real Redis Cluster of that many primaries and replicas; or a
        /// one-node cluster with an RBAC user, standing in for ElastiCache Serverless.
        public var cacheShape = StackOptions.CacheShape.primary
        public var node = "node"
        public var redisServer = "redis-server"
        public var verbose = false
        public init() {}
    }

    /// What a started runtime offers, printed for the user and for tests.
    public struct Endpoints: Sendable {
        public let api: String
        public let upstream: String
        public let redis: String
        /// The cluster's nodes' ports (empty for one redis-server).
        public let clusterPorts: [Int]
        /// The demo upstream's path that always fails, for the smoke test's not-cached check.
        public let errorPath: String?
        public let stateDirectory: String
        /// The key pair that signs purges for this run (`cachedemo invalidate` finds it by port).
        public let purgeCredentialsFile: String
    }

    public let options: Options
    public let children = ChildProcesses()
    /// `stop` runs once, on the thread that calls it first (the main thread, or the watchdog
    /// of a signal whose stop hangs).
    private let stopLock = NSLock()
    private var stateDirectory: URL?
    private var purgeFile: URL?
    private var purgeKeys: LocalPurgeCredentials?

    public init(options: Options) { self.options = options }

    public func start() throws -> Endpoints {
        let node = try Self.executable(options.node, flag: "--node", tool: "node",
                                       install: "install Node.js 20 or newer (Debian: apt-get install nodejs)")
        let redisServer = try Self.executable(options.redisServer, flag: "--redis-server", tool: "redis-server",
                                              install: "install it (Debian: apt-get install redis-server)")
        guard let openssl = findExecutable("openssl") else {
            throw LocalError("openssl is not installed; install it (Debian: apt-get install openssl)")
        }
        // Named for this process, so a later run removes what a killed one (SIGKILL) left.
        LocalLeftovers.removeStale()
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(LocalLeftovers.folderPrefix)\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        stateDirectory = dir
        let log: FileHandle? = options.verbose ? FileHandle.standardError : nil

        // Redis: TLS only, a generated token in a 0600 config file (never on a command line).
        let certs = try LocalCertificates.make(in: dir, openssl: openssl)
        try Self.stopIfAsked()
        let token = Crypto.randomBytes(24).hex
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        // The cluster's nodes are started by the same script the tests use (lambda/local).
        let localDir = dir.appendingPathComponent("local"), srcDir = dir.appendingPathComponent("src")
        for (files, folder) in [(LambdaSources.local, localDir), (LambdaSources.handler, srcDir)] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in files { try Data(file.contents.utf8).write(to: folder.appendingPathComponent(file.name)) }
        }
        let context = LocalCacheContext(dir: dir, certs: certs, token: token, node: node, redisServer: redisServer,
                                        localDir: localDir, path: path, log: log)
        // One local cache per shape: one redis-server (behind an IAM-checking proxy with
        // --cache-auth iam), or a real Redis Cluster (the serverless stand-in is a one-node one).
        let cache = options.cacheShape == .primary ? try startRedisServer(context) : try startRedisCluster(context)
        return try startFunction(dir: dir, certs: certs, node: node, localDir: localDir, path: path,
                                 cacheEnvironment: cache.environment, clusterPorts: cache.ports, log: log)
    }

    /// This run's key pair (purges are signed with it; IAM auth tokens too), made once.
    func purgeCredentials() throws -> LocalPurgeCredentials {
        if let purge = purgeKeys { return purge }
        let purge = LocalPurgeCredentials.generate()
        purgeKeys = purge
        return purge
    }

    /// The demo upstream (unless one was given) and the API front running the function.
    private func startFunction(dir: URL, certs: LocalCertificates.Paths, node: String, localDir: URL, path: String,
                               cacheEnvironment: [String: String], clusterPorts: [Int], log: FileHandle?) throws -> Endpoints {
        try Self.stopIfAsked()
        // The function, unzipped from the very zip `package` builds.
        let functionDir = dir.appendingPathComponent("function")
        try LambdaPackage.build(files: LambdaSources.handler + options.caching.rules.files).extract(to: functionDir)
        var upstream = options.upstreamURL
        var errorPath: String?
        if upstream == nil {
            let port = try Loopback.freePort()
            try children.startServer("demo-upstream", what: "the demo upstream", port: port, executable: node,
                                     arguments: [localDir.appendingPathComponent("demo-upstream.mjs").path],
                                     environment: ["PORT": String(port), "PATH": path], log: log)
            upstream = "http://127.0.0.1:\(port)"
            errorPath = "/missing"
        }

        let apiPort = try options.port ?? Loopback.freePort()
        if Loopback.isListening(port: apiPort) {
            throw LocalError("port \(apiPort) is already in use; pass another --port")
        }
        let purge = try purgeCredentials()
        let purgeFile = try purge.write(port: apiPort)
        self.purgeFile = purgeFile

        try children.startServer("api-front", what: "the API front", port: apiPort, executable: node,
                                 arguments: [localDir.appendingPathComponent("front.mjs").path],
                                 environment: [
                                     "PORT": String(apiPort), "FUNCTION_DIR": functionDir.path,
                                     FunctionEnvironment.caFile: certs.ca, FunctionEnvironment.upstreamURL: upstream!,
                                     "PURGE_ACCESS_KEY_ID": purge.accessKeyId, "PURGE_SECRET_ACCESS_KEY": purge.secretAccessKey,
                                     "PURGE_REGION": purge.region, "PATH": path,
                                 ].merging(cacheEnvironment) { own, _ in own }
                                  .merging(options.caching.environment) { own, _ in own }
                                  .merging(try options.upstreamAccess.localEnvironment(
                                      reading: ProcessInfo.processInfo.environment,
                                      readFile: { try String(contentsOfFile: $0, encoding: .utf8) })) { own, _ in own }
                                  .merging(options.throttle.environment) { own, _ in own }, log: log)
        return Endpoints(api: "http://127.0.0.1:\(apiPort)", upstream: upstream!,
                         redis: cacheEnvironment[FunctionEnvironment.redisURL]!, clusterPorts: clusterPorts, errorPath: errorPath,
                         stateDirectory: dir.path, purgeCredentialsFile: purgeFile.path)
    }

    /// The IAM user and cache name `local --cache-auth iam` signs for.
    static let iamUser = "cachedemo-app"
    static let iamCacheName = "cachedemo-local"

    /// Stops every process it started and removes its files (certificates, token, function):
    /// once, whoever asks; the processes first, so none writes into the folder as it goes.
    public func stop() {
        stopLock.withLock {
            children.stopAll()
            if let purgeFile { try? FileManager.default.removeItem(at: purgeFile) }
            if let dir = stateDirectory { try? FileManager.default.removeItem(at: dir) }
            (purgeFile, stateDirectory) = (nil, nil)
        }
    }

    /// A stop signal came during start-up: go no further (the caller stops what started).
    static func stopIfAsked() throws {
        if Interruption.shared.requested { throw LocalError("stopped during start-up") }
    }
}

extension LocalRuntime {
    /// A tool given by name (searched on PATH) or by path: a path that is wrong is named as
    /// such, not reported as a tool that is not installed.
    static func executable(_ given: String, flag: String, tool: String, install: String) throws -> String {
        if given.contains("/") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: given, isDirectory: &isDirectory) else {
                throw LocalError("\(flag) \(given) does not exist; give the path of \(tool), or \(install)")
            }
            guard !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: given) else {
                throw LocalError("\(flag) \(given) is not an executable file; give the path of \(tool)")
            }
            return given
        }
        guard let found = findExecutable(given) else {
            throw LocalError(given == tool ? "\(tool) is not installed; \(install) or pass \(flag) PATH"
                : "\(flag) \(given) is not on PATH; give its full path, or \(install)")
        }
        return found
    }
}
