import ArgumentParser
import Foundation

/// A bad value from the user: one line on stderr, exit code 64 (the usage code).
struct UsageFailure: Error, CustomStringConvertible {
    var description: String { message }
    let message: String
    init(_ message: String) { self.message = message }
}

/// An operation that failed: one line on stderr, exit code 1.
struct OperationFailure: Error, CustomStringConvertible {
    var description: String { message }
    let message: String
    init(_ message: String) { self.message = message }
}

/// Runs a command body and turns our failures into one line and an exit code;
/// argument-parser's own errors (unknown flags, bad enum values) pass through.
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as UsageFailure {
        printError(failure.message)
        throw ExitCode(64)
    } catch let failure as OperationFailure {
        printError(failure.message)
        throw ExitCode.failure
    } catch ExitCodeError.interrupted {
        throw ExitCode(130)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("cachedemo: error: \(message)\n".utf8))
}
