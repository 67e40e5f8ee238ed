import ArgumentParser
import CacheDemo
import CloudFormation
import Foundation

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render the stack's CloudFormation template.",
        discussion: "Prints to stdout unless --output-file is given. Same options, same bytes.\n\nExamples:\n  cachedemo template\n  cachedemo template --multi-az --format json --output-file stack.json\n  cachedemo template --engine valkey --throttle-rate 200 --throttle-burst 400\n  cachedemo template --egress ipv6 --engine valkey\n  cachedemo template --vpc-id vpc-0abc12345678def90 --subnet-ids subnet-0aa11122233344455"
    )

    @OptionGroup var stack: StackOptionArguments

    @Option(help: "yaml or json.")
    var format: TemplateFormat = .yaml

    @OptionGroup var destination: OutputFileOption

    func run() throws {
        try reportingFailures {
            let options = try stack.stackOptions()
            if let problem = UpstreamIPv6.problem(for: options) {
                progress("warning: " + problem)
            }
            try destination.emit(try TemplateRendering.render(options, format: format))
        }
    }
}

/// `--output-file`, for commands that print a document: to that file (OutputFile's rules), or stdout.
struct OutputFileOption: ParsableArguments {
    @Option(name: .customLong("output-file"), help: "Write to this file instead of stdout.", completion: .file())
    var path: String?

    func emit(_ text: String) throws {
        if let path { try writeOutputFile(Data(text.utf8), to: path) } else { writeStdout(Data(text.utf8)) }
    }
}

extension TemplateFormat: ExpressibleByArgument {}

enum TemplateRendering {
    /// The stack's template model; what `template` renders and `diagram` draws.
    static func model(_ options: StackOptions) throws -> Template {
        do { return try CacheStack(options: options).template() } catch { throw UsageFailure(error.description) }
    }

    static func render(_ options: StackOptions, format: TemplateFormat) throws -> String {
        let template = try model(options)
        do {
            return try template.rendered(as: format)
        } catch {
            throw OperationFailure("the template could not be rendered: \(error)")
        }
    }
}
