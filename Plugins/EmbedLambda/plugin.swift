import Foundation
import PackagePlugin

/// Embeds lambda/src (the function), lambda/local (the local front and demo upstream) and
/// nat/ (the NAT instance's boot script) into the CacheDemo module at build time, so an
/// installed binary packages and runs without the checkout, and there is no generated copy
/// to keep in step.
@main
struct EmbedLambda: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        func sources(_ folder: String, ending: String) throws -> [URL] {
            let dir = root.appending(path: folder)
            return try FileManager.default.contentsOfDirectory(atPath: dir.path(percentEncoded: false))
                .filter { $0.hasSuffix(ending) }.sorted().map { dir.appending(path: $0) }
        }
        let handler = try sources("lambda/src", ending: ".mjs"), local = try sources("lambda/local", ending: ".mjs")
        let nat = try sources("nat", ending: ".sh")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedLambda.swift")
        let arguments = [output.path(percentEncoded: false), "handler"] + handler.map { $0.path(percentEncoded: false) }
            + ["local"] + local.map { $0.path(percentEncoded: false) } + ["nat"] + nat.map { $0.path(percentEncoded: false) }
        return [.buildCommand(displayName: "Embedding the Lambda handler", executable: try context.tool(named: "embed-lambda-tool").url,
                              arguments: arguments, inputFiles: handler + local + nat, outputFiles: [output])]
    }
}
