import ArgumentParser
import Foundation

/// `--output text|json`: every command that reports something can speak JSON for CI.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct OutputOption: ParsableArguments {
    @Option(name: .customLong("output"), help: "text or json (one JSON document on stdout, for CI).")
    var format: OutputFormat = .text
}

/// Prints a JSON document with stable key order.
func printJSON(_ object: Any) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys,
                                                                              .withoutEscapingSlashes])) ?? Data()
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// A line of progress on stderr, so stdout stays parseable.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A line on stdout, written at once (no buffering: `local` prints, then waits).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
