import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The processes `cachedemo local` starts. Each gets a stdin pipe that we hold open (node
/// children exit when it closes) and, where util-linux's setpriv is there, a parent-death
/// signal: killed outright (SIGKILL), we take every child with us, redis-server included.
/// Once stopping has begun nothing new starts, so a signal during start-up leaves nothing.
public final class ChildProcesses: @unchecked Sendable {
    public struct Child {
        public let name: String
        public let process: Process
        let stdin: Pipe
        public var pid: Int32 { process.processIdentifier }
    }

    private let lock = NSLock()
    private var children: [Child] = []
    private var stopping = false
    /// `setpriv --pdeathsig KILL --`, which sets the signal and execs the child (same pid).
    private let deathSignalWrapper = findExecutable("setpriv").map { ($0, ["--pdeathsig", "KILL", "--"]) }

    public init() {}

    /// Starts `executable`; its output goes to `log` (or nowhere). Call it from the main
    /// thread: the parent-death signal fires when the *thread* that started the child ends.
    @discardableResult
    public func start(_ name: String, executable: String, arguments: [String], environment: [String: String]? = nil,
                      log: FileHandle?) throws -> Child {
        let p = Process()
        if let (wrapper, flags) = deathSignalWrapper {
            p.executableURL = URL(fileURLWithPath: wrapper)
            p.arguments = flags + [executable] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
        }
        if let environment { p.environment = environment }
        let stdin = Pipe()
        p.standardInput = stdin
        p.standardOutput = log ?? FileHandle.nullDevice
        p.standardError = log ?? FileHandle.nullDevice
        // Checked and started under the lock: a stop that has begun is never outrun.
        return try lock.withLock {
            guard !stopping else { throw LocalError("stopped before \(name) could start") }
            try p.run()
            let child = Child(name: name, process: p, stdin: stdin)
            children.append(child)
            return child
        }
    }

    /// From a signal handler: start no more children and ask each to stop (stdin closed,
    /// SIGTERM), without waiting; the main thread's `stopAll` waits and cleans up.
    public func terminateAll() {
        askToStop(lock.withLock { () -> [Child] in
            stopping = true
            return children
        })
    }

    private func askToStop(_ all: [Child]) {
        for c in all where c.process.isRunning {
            try? c.stdin.fileHandleForWriting.close()
            c.process.terminate()
        }
    }

    /// Starts a server and waits until it listens on `port` on 127.0.0.1; `what` names it in errors.
    public func startServer(_ name: String, what: String, port: Int, executable: String, arguments: [String],
                            environment: [String: String]? = nil, log: FileHandle?) throws {
        try start(name, executable: executable, arguments: arguments, environment: environment, log: log)
        try Loopback.waitUntilListening(port: port, timeout: 10, what: what) { isRunning(name) }
    }

    public var pids: [String: Int32] { lock.withLock { Dictionary(children.map { ($0.name, $0.pid) }, uniquingKeysWith: { a, _ in a }) } }

    /// Whether the child runs and is meant to: once stopping has begun, waits for it end.
    public func isRunning(_ name: String) -> Bool {
        lock.withLock { !stopping && children.first { $0.name == name }?.process.isRunning ?? false }
    }

    /// SIGTERM to each, then SIGKILL to whatever is still there after `grace`; nothing
    /// starts after it.
    public func stopAll(grace: TimeInterval = 3) {
        let all = lock.withLock { () -> [Child] in
            stopping = true
            defer { children.removeAll() }
            return children
        }
        askToStop(all)
        let deadline = Date().addingTimeInterval(grace)
        for c in all {
            while c.process.isRunning && Date() < deadline { usleep(10_000) }
            if c.process.isRunning { kill(c.pid, SIGKILL) }
            c.process.waitUntilExit()
        }
    }
}

/// Loopback helpers: a free port, and waiting until something listens on one.
public enum Loopback {
    public static func freePort() throws -> Int {
        guard let port = bindable(0) else { throw LocalError("could not find a free port on 127.0.0.1") }
        return port
    }

    /// Whether `port` can be bound now (a cluster node's bus port: its port + 10000).
    public static func isFree(port: Int) -> Bool { bindable(port) != nil }

    /// Binds `port` (0: any) on 127.0.0.1 and lets it go; the port it got, or nil.
    private static func bindable(_ port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = address(port: port)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: addr.sin_port)) : nil
    }

    public static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = address(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// 127.0.0.1:`port` as the socket calls take it.
    static func address(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return addr
    }

    /// Waits until `port` accepts connections, failing early when `alive` says the server died.
    public static func waitUntilListening(port: Int, timeout: TimeInterval, what: String,
                                          alive: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if isListening(port: port) { return }
            guard alive() else { throw LocalError("\(what) exited during start-up; run with --verbose to see its output") }
            usleep(20_000)
        }
        throw LocalError("\(what) did not start listening on 127.0.0.1:\(port) within \(Int(timeout)) s")
    }
}

/// Something `cachedemo local` could not do, said in one line.
public struct LocalError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Finds a program on PATH, as a shell would.
public func findExecutable(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    for dir in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
