import AWS
import ArgumentParser
import CacheDemo
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the stack's status, outputs, resources and recent events (--timeline: where the last operation's time went).",
        discussion: "Examples:\n  cachedemo status --stack-name cache-prod\n  cachedemo status --stack-name cache-prod --events 30 --output json"
    )

    @OptionGroup var name: StackNameOption
    @OptionGroup var aws: AWSOptions

    @Option(help: "How many recent events to show.")
    var events = 10

    @Flag(help: "Also show the latest operation's per-resource timeline.")
    var timeline = false

    @OptionGroup var timelineSVG: TimelineOption

    @OptionGroup var output: OutputOption

    func validate() throws {
        guard (0...1_000).contains(events) else { throw ValidationError("--events \(events) is outside 0 to 1000") }
    }

    func run() throws {
        try reportingFailures {
            let stackName = try name.validated()
            try timelineSVG.checkPath()
            let session = try aws.session()
            let cfn = CloudFormationClient(client: session.client)
            let (stack, resources, recent) = try runAWSOperation { () throws -> (CloudFormationClient.Stack, [CloudFormationClient.Resource], [CloudFormationClient.Event]) in
                guard let stack = try cfn.describeStack(stackName) else {
                    throw DeployError(.failed, "stack \(stackName) does not exist in \(session.region); deploy it with: cachedemo deploy --stack-name \(stackName)")
                }
                return (stack, try cfn.describeStackResources(stack.id), Array(try cfn.describeStackEvents(stack.id, limit: events).prefix(events)))
            }
            let operation = timeline || timelineSVG.svgPath != nil ? TimelineReport.fetch(session, stack: stack.id) : nil
            switch output.format {
            case .json:
                printJSON([
                    "timeline": operation?.jsonObject ?? NSNull(),
                    "stackName": stack.name, "stackId": stack.id, "status": stack.status,
                    "statusReason": stack.statusReason ?? NSNull(), "outputs": stack.outputs,
                    "resources": resources.map { ["logicalId": $0.logicalId, "physicalId": $0.physicalId ?? NSNull(),
                                                  "type": $0.type, "status": $0.status] as [String: Any] },
                    "events": recent.map { ["time": ISO8601.format($0.timestamp), "logicalId": $0.logicalId, "type": $0.type,
                                            "status": $0.status, "reason": $0.reason ?? NSNull()] as [String: Any] },
                ])
            case .text:
                say("\(stack.name)  \(stack.status)\(stack.statusReason.map { "  (\($0))" } ?? "")")
                if !stack.outputs.isEmpty {
                    say("\nOutputs")
                    OutputTable.print(stack.outputs)
                }
                say("\nResources (\(resources.count))")
                for r in resources.sorted(by: { $0.logicalId < $1.logicalId }) {
                    say("  \(r.status.padded(to: 20))  \(r.logicalId.padded(to: 36))  \(r.type)")
                }
                say("\nRecent events")
                for e in recent {
                    say("  \(ISO8601.format(e.timestamp))  \(e.status.padded(to: 20))  \(e.logicalId)\(e.reason.map { "  \($0)" } ?? "")")
                }
            }
            if timeline || timelineSVG.svgPath != nil {
                try TimelineReport.show(operation, format: output.format, svgPath: timelineSVG.svgPath)
            }
        }
    }
}
