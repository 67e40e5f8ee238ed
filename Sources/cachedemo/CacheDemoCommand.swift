import ArgumentParser
import CacheDemo
import Foundation

@main
struct CacheDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachedemo",
        abstract: "Stand up, test and tear down a read-through API cache on AWS (API Gateway → Lambda → ElastiCache).",
        discussion: """
            Examples:
              cachedemo local --smoke-test
              cachedemo deploy --stack-name cache-prod --multi-az --yes
              cachedemo smoke-test --stack-name cache-prod
              cachedemo destroy --stack-name cache-prod --yes

            Shell completion: cachedemo --generate-completion-script bash|zsh|fish
            """,
        version: CacheDemoVersion.current,
        subcommands: [
            TemplateCommand.self, DiagramCommand.self, PackageCommand.self, DeployCommand.self, StatusCommand.self, DestroyCommand.self, CostCommand.self,
            SmokeTestCommand.self, InvalidateCommand.self, LocalCommand.self, WhoamiCommand.self,
        ]
    )

    /// argument-parser's own usage errors (an unknown flag, a value of the wrong type or
    /// not among the choices, a failed validate()) get the same one line and exit code 64
    /// as the tool's own; help, version and completion scripts print as usual.
    static func main() {
        let arguments = Self.joiningNegativeValues(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            // An ExitCode was thrown after our own one line was printed.
            if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
            let code = exitCode(for: error)
            if code == .success {
                // Help, version, completion scripts: written like any output (a full stdout is an error).
                writeStdout(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(0)
            }
            guard code == .validationFailure else { exit(withError: error) }
            let detail = UsageLine.make(fullMessage(for: error))
            printError("\(detail) (see 'cachedemo \(subcommand(in: arguments).map { "\($0) " } ?? "")--help')")
            Foundation.exit(64)
        }
    }

    /// `--cache-ttl -1` would read "-1" as a flag and say the value is missing; joined as
    /// `--cache-ttl=-1`, the option gets its value and its own check says what is wrong.
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a.hasPrefix("--"), !a.contains("="), i + 1 < arguments.count,
               arguments[i + 1].range(of: #"^-[0-9.]"#, options: .regularExpression) != nil {
                out.append("\(a)=\(arguments[i + 1])")
                i += 2
            } else {
                out.append(a)
                i += 1
            }
        }
        return out
    }

    /// The subcommand the user typed, for the help hint.
    static func subcommand(in arguments: [String]) -> String? {
        let names = configuration.subcommands.map { $0._commandName }
        return arguments.first { names.contains($0) }
    }
}

/// argument-parser's error block (an "Error: " line, usage, a help hint) as one sentence.
enum UsageLine {
    static func make(_ block: String) -> String {
        let lines = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("Usage:") && !$0.hasPrefix("See '") && !$0.hasPrefix("Help:") }
        var text = lines.joined(separator: " ")
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        while text.hasSuffix(".") { text.removeLast() }
        return text.isEmpty ? "invalid arguments" : text
    }
}
