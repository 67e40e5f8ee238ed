import ArgumentParser
import AWS
import CacheDemo
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `--output text|json`: every command that reports something can speak JSON for CI.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct OutputOption: ParsableArguments {
    @Option(name: .customLong("output"), help: "text or json (one JSON document on stdout, for CI).")
    var format: OutputFormat = .text
}

/// Prints a JSON document with stable key order.
/// A document that cannot be written (a number that is not finite) is a failure, never an
/// empty line with exit code 0.
func printJSON(_ object: Any) {
    guard JSONSerialization.isValidJSONObject(object),
          let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else {
        printError("the result could not be written as JSON (a value is not a finite number); run without --output json to see it")
        exit(1)
    }
    writeStdout(data + Data("\n".utf8))
}

/// A line of progress on stderr, so stdout stays parseable.
func progress(_ line: String) {
    writeStderr(line + "\n")
}

/// A line on stdout, written at once (no buffering: `local` prints, then waits).
func say(_ line: String) {
    writeStdout(Data((line + "\n").utf8))
}

/// Stdout that is full or closed (`> /dev/full`, `| head` with SIGPIPE ignored) ends the
/// command with one line and exit code 1, after what it started is stopped — not a trap.
func writeStdout(_ data: Data) {
    guard let e = FileDescriptorWriter.writeAll(STDOUT_FILENO, data) else { return }
    ExitHooks.runAll()
    printError("cannot write to standard output: \(String(cString: strerror(e)))")
    exit(1)
}

/// Stderr is where failures are reported; if even it cannot be written, there is no one to tell.
func writeStderr(_ text: String) {
    _ = FileDescriptorWriter.writeAll(STDERR_FILENO, Data(text.utf8))
}

/// What must happen before the process exits early (a signal, a failed write):
/// stopping children and removing key files. Each hook runs once.
enum ExitHooks {
    nonisolated(unsafe) private static var hooks: [() -> Void] = []
    private static let lock = NSLock()

    static func add(_ hook: @escaping () -> Void) {
        lock.lock()
        hooks.append(hook)
        lock.unlock()
    }

    static func runAll() {
        lock.lock()
        let pending = hooks
        hooks.removeAll()
        lock.unlock()
        for hook in pending { hook() }
    }
}
