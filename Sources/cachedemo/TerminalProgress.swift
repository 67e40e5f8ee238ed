import AWS
import CacheDemo
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr, so stdout stays parseable: one line per stack event, statuses
/// coloured on a terminal (not when NO_COLOR is set or output is redirected).
struct TerminalProgress: DeployProgress {
    let color: Bool

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        color = colorWanted(on: STDERR_FILENO, environment: environment)
    }

    func info(_ line: String) { progress(line) }

    func event(_ e: CloudFormationClient.Event, done: Int, total: Int?) {
        let time = Self.time.string(from: e.timestamp)
        let count = total.flatMap { $0 > 0 && e.type != "AWS::CloudFormation::Stack" ? " [\(min(done, $0))/\($0)]" : nil } ?? ""
        let reason = e.reason.map { "  \($0)" } ?? ""
        progress("\(time)  \(paint(e.status).padded(to: 20))  \(e.logicalId.padded(to: 28)) \(e.type)\(reason)\(count)")
    }

    func changes(_ changes: [CloudFormationClient.Change]) { ChangeTable.print(changes, color: color) }

    private func paint(_ status: String) -> String {
        guard color else { return status }
        let code = status.hasSuffix("_FAILED") || status.contains("ROLLBACK") ? "31"
            : status.hasSuffix("_COMPLETE") ? "32" : "33"
        return "\u{1B}[\(code)m\(status)\u{1B}[0m"
    }

    static let time: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        f.timeZone = TimeZone.current
        return f
    }()
}

extension String {
    /// Pads to a column width, not counting colour escape sequences.
    func padded(to width: Int) -> String {
        var visible = 0
        var inEscape = false
        for c in self {
            if c == "\u{1B}" { inEscape = true } else if inEscape { if c == "m" { inEscape = false } } else { visible += 1 }
        }
        return visible >= width ? self : self + String(repeating: " ", count: width - visible)
    }
}

/// Ctrl-C, SIGTERM (a CI runner cancelling) or SIGHUP (the terminal closed) while waiting:
/// stop waiting, say the operation goes on and how to follow it, exit 128 + the signal.
enum WaitInterruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        sources = StopSignals.handle { Interruption.shared.request(signal: $0) }
    }
}

/// The signals that mean "stop": each gets the same clean shutdown.
enum StopSignals {
    static let all: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Takes the stop signals from their default action to `handler` (on a queue, so it may
    /// do real work); keep the returned sources alive as long as the handling should last.
    static func handle(_ handler: @escaping @Sendable (Int32) -> Void) -> [DispatchSourceSignal] {
        all.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { handler(sig) }
            source.resume()
            return source
        }
    }
}

/// Runs AWS calls (a deploy, a destroy, one request); their failures become one line and
/// the right exit code. `what` names a single call in the line (`sts:GetCallerIdentity failed: ...`).
func runAWSOperation<T>(_ what: String? = nil, _ body: () throws -> T) throws -> T {
    let failed = what.map { "\($0) failed: " } ?? ""
    do {
        return try body()
    } catch let e as DeployError {
        switch e.kind {
        case .interrupted:
            printError(e.description)
            throw ExitCodeError.interrupted(signal: Interruption.shared.requestedBy ?? SIGINT)
        case .usage:
            throw UsageFailure(e.description)
        default:
            throw OperationFailure(e.description)
        }
    } catch let e as AWSError {
        throw OperationFailure(failed + e.description)
    } catch let e as TransportError {
        throw OperationFailure(failed + "\(e.description); is the endpoint reachable? (check --endpoint-url and your network)")
    } catch let e as CredentialsError {
        throw OperationFailure(e.description)
    } catch let e as PackageError {
        throw OperationFailure(e.description)
    }
}

enum ExitCodeError: Error {
    case interrupted(signal: Int32)
}

/// Colour only on a terminal, and not when NO_COLOR is set to anything but the empty string
/// (no-color.org) or the terminal is dumb.
func colorWanted(on fd: Int32, environment env: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
    isatty(fd) == 1 && (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb"
}

/// Whether a human is at the keyboard: prompts only then, never in CI.
var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

/// Asks a yes/no question on the terminal. Ctrl-C while it waits is a "no" (deploy's
/// stop signals are caught by then, so a blocked read would never see them).
func confirm(_ question: String) -> Bool {
    writeStderr("\(question) [y/N] ")
    var input = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
    while poll(&input, 1, 100) == 0 {
        if Interruption.shared.requested {
            writeStderr("\n")
            return false
        }
    }
    guard let answer = readLine() else { return false }
    return ["y", "yes"].contains(answer.lowercased().trimmingCharacters(in: .whitespaces))
}
