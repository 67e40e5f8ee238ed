import ArgumentParser
import CacheDemo
import Foundation

struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build the Lambda zip: reproducible, handler index.handler, printed with its size and SHA-256.",
        discussion: "Examples:\n  cachedemo package\n  cachedemo package --output-file /tmp/f.zip --output json\n  cachedemo package --cache-rules cache-rules.yaml"
    )

    @Option(name: .customLong("output-file"), help: "Where to write the zip.", completion: .file(extensions: ["zip"]))
    var outputFile = "dist/cachedemo-lambda.zip"

    @Option(name: .customLong("cache-rules"), help: "Carry this rules file in the zip, as deploy does with the same flag.",
            completion: .file(extensions: ["yaml", "yml", "json"]))
    var cacheRules: String?

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            var caching = CachingOptions()
            if let cacheRules {
                do { caching.rules = try CacheRules.load(cacheRules) } catch let e as StackOptionsError { throw UsageFailure(e.description) }
                caching = try asUsage(caching) { try $0.validate() }
            }
            let package: LambdaPackage
            do { package = try LambdaPackage.build(files: LambdaSources.handler + caching.rules.files) } catch { throw OperationFailure("packaging failed: \(error)") }
            let url = URL(fileURLWithPath: outputFile)
            try writeOutputFile(package.data, to: outputFile)
            switch output.format {
            case .json: printJSON(["path": url.path, "size": package.size, "sha256": package.sha256])
            case .text:
                say("\(url.path)\n  size    \(package.size) bytes\n  sha256  \(package.sha256)")
            }
        }
    }
}
