import ArgumentParser
import CacheDemo
import CloudFormation
import Foundation

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render the stack's CloudFormation template.",
        discussion: "Prints to stdout unless --output-file is given. Same options, same bytes.\n\nExamples:\n  cachedemo template\n  cachedemo template --multi-az --format json --output-file stack.json\n  cachedemo template --engine valkey --throttle-rate 200 --throttle-burst 400"
    )

    @OptionGroup var stack: StackOptionArguments

    @Option(help: "yaml or json.")
    var format: TemplateFormat = .yaml

    @Option(name: .customLong("output-file"), help: "Write the template to this file instead of stdout.")
    var outputFile: String?

    func run() throws {
        try reportingFailures {
            let options = try stack.stackOptions()
            let text = try TemplateRendering.render(options, format: format)
            if let path = outputFile {
                try writeOutputFile(Data(text.utf8), to: path)
            } else {
                writeStdout(Data(text.utf8))
            }
        }
    }
}

extension TemplateFormat: ExpressibleByArgument {}

enum TemplateRendering {
    static func render(_ options: StackOptions, format: TemplateFormat) throws -> String {
        do {
            return try CacheStack(options: options).template().rendered(as: format)
        } catch let e as StackOptionsError {
            throw UsageFailure(e.description)
        } catch {
            throw OperationFailure("the template could not be rendered: \(error)")
        }
    }
}
