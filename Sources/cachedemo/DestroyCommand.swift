import AWS
import ArgumentParser
import CacheDemo
import Foundation

struct DestroyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Delete the stack and wait for it, streaming events.",
        discussion: "Asks first unless --yes; without a terminal it refuses unless --yes. A stack that does not exist is not an error.\n\nExamples:\n  cachedemo destroy --stack-name cache-prod\n  cachedemo destroy --stack-name ci-$RUN_ID --yes --purge-artifacts --output json"
    )

    @OptionGroup var name: StackNameOption
    @OptionGroup var aws: AWSOptions

    @Flag(help: "Do not ask.")
    var yes = false

    @Flag(name: .customLong("purge-artifacts"), help: "Also delete this stack's objects from the artifact bucket.")
    var purgeArtifacts = false

    @Option(name: .customLong("artifact-bucket"), help: "The artifact bucket, if not the default one.")
    var artifactBucket: String?

    @OptionGroup var waitTimeout: WaitTimeoutOption

    @OptionGroup var timeline: TimelineOption

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            try timeline.checkPath()
            var o = Destroyer.Options()
            o.stackName = try name.validated()
            o.purgeArtifacts = purgeArtifacts
            if let artifactBucket { _ = try asUsage(artifactBucket) { try ArtifactStore.checkBucketName($0) } }
            o.artifactBucket = artifactBucket
            o.timeout = try waitTimeout.seconds()
            if !yes {
                guard stdinIsTerminal else {
                    throw UsageFailure("destroy deletes stack \(o.stackName) and everything in it; add --yes to confirm (no terminal to ask on)")
                }
                guard confirm("Delete stack \(o.stackName) and everything in it?") else {
                    throw OperationFailure("destroy cancelled; nothing was deleted")
                }
            }
            let session = try aws.session()
            WaitInterruption.install()
            let result = try runAWSOperation { try Destroyer(session: session, progress: TerminalProgress()).destroy(o) }
            let operation = result.stackId.flatMap { TimelineReport.fetch(session, stack: $0, token: result.operationToken) }
            switch output.format {
            case .json:
                printJSON(["stackName": o.stackName, "existed": result.existed, "stackId": result.stackId ?? NSNull(),
                           "status": result.status, "purgedArtifacts": result.purgedObjects,
                           "durationSeconds": (result.duration * 10).rounded() / 10,
                           "leftovers": result.leftovers.map { ["kind": $0.kind, "id": $0.id, "billable": $0.billable] as [String: Any] },
                           "billableLeft": result.billableLeft, "timeline": operation?.jsonObject ?? NSNull()])
            case .text:
                if result.existed { say("\(o.stackName): \(result.status) in \(String(format: "%.1f", result.duration)) s") }
            }
            if result.existed {
                try TimelineReport.show(operation, format: output.format, svgPath: timeline.svgPath)
            } else {
                TimelineReport.sayNoneWritten(to: timeline.svgPath)
            }
            if result.billableLeft {
                throw OperationFailure("stack \(o.stackName) is deleted but billable resources survived: "
                    + result.leftovers.filter(\.billable).map { "\($0.kind) \($0.id)" }.joined(separator: ", ")
                    + "; delete them by hand")
            }
        }
    }
}
