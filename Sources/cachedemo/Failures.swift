import AWS
import ArgumentParser
import CacheDemo
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
    } catch ExitCodeError.interrupted(let signal) {
        throw ExitCode(128 + signal)
    }
}

/// One line, whatever the message quotes: a control character a value carried is escaped.
func printError(_ message: String) {
    writeStderr("cachedemo: error: \(UserInput.escaped(message))\n")
}

/// Every output-file flag writes through OutputFile: the same rules and the same one line.
func writeOutputFile(_ data: Data, to path: String) throws {
    do { try OutputFile.write(data, to: path) } catch { throw OperationFailure(error.description) }
}

/// An output path checked before a long operation, so a bad one fails first, not last.
func checkOutputFile(_ path: String) throws {
    do { try OutputFile.check(path) } catch { throw OperationFailure(error.description) }
}
