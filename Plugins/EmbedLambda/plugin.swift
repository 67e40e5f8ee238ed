import Foundation
import PackagePlugin

/// Embeds lambda/src (the function) and lambda/local (the local front and demo upstream)
/// into the CacheDemo module at build time, so an installed binary packages and runs
/// without the checkout, and there is no generated copy to keep in step.
@main
struct EmbedLambda: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL.appending(path: "lambda")
        func sources(_ folder: String) throws -> [URL] {
            let dir = root.appending(path: folder)
            return try FileManager.default.contentsOfDirectory(atPath: dir.path(percentEncoded: false))
                .filter { $0.hasSuffix(".mjs") }.sorted().map { dir.appending(path: $0) }
        }
        let handler = try sources("src"), local = try sources("local")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedLambda.swift")
        let arguments = [output.path(percentEncoded: false), "handler"] + handler.map { $0.path(percentEncoded: false) }
            + ["local"] + local.map { $0.path(percentEncoded: false) }
        return [.buildCommand(displayName: "Embedding the Lambda handler", executable: try context.tool(named: "embed-lambda-tool").url,
                              arguments: arguments, inputFiles: handler + local, outputFiles: [output])]
    }
}
