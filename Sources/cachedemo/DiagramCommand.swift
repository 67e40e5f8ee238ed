import ArgumentParser
import CacheDemo
import Foundation

struct DiagramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Draw the stack the options describe: SVG, Mermaid or Graphviz DOT, from the same model as the template.",
        discussion: """
            Examples:
              cachedemo diagram --output-file stack.svg
              cachedemo diagram --multi-az --format mermaid
              cachedemo diagram --multi-az --single-nat --format dot | dot -Tpng > stack.png
            """
    )

    @OptionGroup var stack: StackOptionArguments

    @Option(help: "svg, mermaid or dot.")
    var format: DiagramFormat = .svg

    @Option(name: .customLong("output-file"), help: "Write the diagram to this file instead of stdout.")
    var outputFile: String?

    func run() throws {
        try reportingFailures {
            let options = try stack.stackOptions()
            let template = try TemplateRendering.model(options)
            let text = DiagramRendering.render(StackGraph(template, options: options), as: format)
            if let outputFile { try writeOutputFile(Data(text.utf8), to: outputFile) } else { writeStdout(Data(text.utf8)) }
        }
    }
}

extension DiagramFormat: ExpressibleByArgument {}
