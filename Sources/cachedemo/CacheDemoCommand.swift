import ArgumentParser
import CacheDemo

@main
struct CacheDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachedemo",
        abstract: "Stand up, test and tear down a read-through API cache on AWS (API Gateway → Lambda → ElastiCache).",
        version: CacheDemoVersion.current,
        subcommands: [
            TemplateCommand.self, PackageCommand.self, LocalCommand.self, SmokeTestCommand.self, WhoamiCommand.self,
        ]
    )
}
