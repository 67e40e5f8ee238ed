import ArgumentParser
import CacheDemo

@main
struct CacheDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachedemo",
        abstract: "Stand up, test and tear down a read-through API cache on AWS (API Gateway → Lambda → ElastiCache).",
        version: CacheDemoVersion.current,
        subcommands: [
            TemplateCommand.self, PackageCommand.self, DeployCommand.self, StatusCommand.self, DestroyCommand.self, CostCommand.self,
            SmokeTestCommand.self, InvalidateCommand.self, LocalCommand.self, WhoamiCommand.self,
        ]
    )
}
