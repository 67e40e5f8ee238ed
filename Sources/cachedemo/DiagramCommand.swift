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

    @OptionGroup var destination: OutputFileOption

    func run() throws {
        try reportingFailures {
            let options = try stack.stackOptions()
            try destination.emit(DiagramRendering.render(StackGraph(try TemplateRendering.model(options), options: options), as: format))
        }
    }
}

extension DiagramFormat: ExpressibleByArgument {}
