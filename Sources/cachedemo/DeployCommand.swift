import AWS
import ArgumentParser
import CacheDemo
import Foundation

struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Upload the Lambda zip and create or update the stack through a change set, following it to the end.",
        discussion: """
            Prints the change set, asks before executing when a person is at the terminal (never in CI, \
            never with --yes), streams stack events to stderr, then the outputs. A deploy with nothing to \
            change says "No changes to deploy" and exits 0.
            
            Examples:
              cachedemo deploy --stack-name cache-prod --multi-az --yes
              cachedemo deploy --stack-name cache-prod --cache-ttl 600 --no-execute
              cachedemo deploy --stack-name try-it --engine valkey --egress ipv6 --yes
              cachedemo deploy --stack-name pr-42 --egress nat-instance --yes
              cachedemo deploy --stack-name svc-cache --vpc-id vpc-0abc12345678def90 --subnet-ids subnet-0aa11122233344455,subnet-0bb11122233344455 --multi-az
              cachedemo deploy --stack-name ci-$RUN_ID --yes --output json --tags team=web
            """
    )

    @OptionGroup var name: StackNameOption
    @OptionGroup var stack: StackOptionArguments
    @OptionGroup var aws: AWSOptions

    @Option(name: .customLong("artifact-bucket"), help: "Use this S3 bucket (default: cachedemo-artifacts-<account>-<region>, created if missing).")
    var artifactBucket: String?

    @Option(name: .customLong("parameter-overrides"), parsing: .upToNextOption, help: "Template parameters as KEY=VALUE.")
    var parameterOverrides: [String] = []

    @Option(name: .customLong("tags"), parsing: .upToNextOption, help: "Stack tags as KEY=VALUE, at most 48 (app and cachedemo:stack are cachedemo's own).")
    var tags: [String] = []

    @Flag(name: .customLong("no-execute"), help: "Create the change set and stop; print how to execute it.")
    var noExecute = false

    @Flag(help: "Do not ask before executing.")
    var yes = false

    @Flag(name: .customLong("replace-failed-stack"), help: "Delete a stack left in ROLLBACK_COMPLETE and create it anew.")
    var replaceFailedStack = false

    @Flag(name: .customLong("no-wait-for-pending"), help: "Stop instead of waiting when the stack is busy with another operation.")
    var noWaitForPending = false

    @Flag(name: .customLong("fail-on-replacement"),
          help: "Exit 1 before executing when the change set replaces any resource (for CI), naming them.")
    var failOnReplacement = false

    @Flag(name: .customLong("skip-ipv6-check"),
          help: "With --egress ipv6: deploy even if the upstream shows no IPv6 address from here.")
    var skipIPv6Check = false

    @Flag(name: .customLong("refresh-nat-ami"),
          help: "With --egress nat-instance: move the NAT instances to the newest Amazon Linux 2023 AMI (replaces them: a short egress outage). Without it a stack keeps the AMI it was created with.")
    var refreshNatAMI = false

    @OptionGroup var waitTimeout: WaitTimeoutOption

    @OptionGroup var timeline: TimelineOption

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            try timeline.checkPath()
            var o = Deployer.Options()
            o.stackName = try name.validated()
            o.stack = try stack.stackOptions()
            if let artifactBucket { _ = try asUsage(artifactBucket) { try ArtifactStore.checkBucketName($0) } }
            o.artifactBucket = artifactBucket
            o.parameterOverrides = try asUsage(try uniqueKeyValuePairs(parameterOverrides, flag: "--parameter-overrides")) {
                try Deployer.checkDerived(overrides: $0)
            }
            do { o.tags = try StackTags.validated(try keyValuePairs(tags, flag: "--tags")) } catch let e as StackOptionsError {
                throw UsageFailure(e.description)
            }
            o.execute = !noExecute
            o.replaceFailedStack = replaceFailedStack
            o.waitForPending = !noWaitForPending
            o.failOnReplacement = failOnReplacement
            if skipIPv6Check && !o.stack.egressOverIPv6 {
                throw UsageFailure("--skip-ipv6-check applies to --egress ipv6; drop it")
            }
            if refreshNatAMI && o.stack.egress != .natInstance {
                throw UsageFailure("--refresh-nat-ami applies to --egress nat-instance; drop it")
            }
            o.skipIPv6Check = skipIPv6Check
            o.refreshNatImage = refreshNatAMI
            o.timeout = try waitTimeout.seconds()
            let session = try aws.session()
            let progress = TerminalProgress()
            let estimate = try? CostEstimate.estimate(o.stack, region: session.region, usage: CostEstimate.Usage())
            let cheaper = cheaperShape(o.stack, region: session.region)
            let ask = askBeforeExecuting(estimate, cheaper: cheaper)
            WaitInterruption.install()
            let result: Deployer.Result
            do {
                result = try runAWSOperation { try Deployer(session: session, progress: progress, confirm: ask).deploy(o) }
            } catch let failure as OperationFailure {
                // A failed operation shows where its time went too (the failed resource marked).
                // Only this deploy's own operation: one that failed before executing has none.
                if output.format == .text, let operation = TimelineReport.fetch(session, stack: o.stackName, token: o.operationToken) {
                    try? TimelineReport.show(operation, format: .text, svgPath: timeline.svgPath)
                } else {
                    TimelineReport.sayNoneWritten(to: timeline.svgPath)
                }
                throw failure
            }
            let operation = result.executed ? TimelineReport.fetch(session, stack: result.stackId, token: o.operationToken) : nil
            report(result, stackName: o.stackName, estimate: estimate, cheaper: cheaper, timeline: operation)
            if result.executed {
                try TimelineReport.show(operation, format: output.format, svgPath: timeline.svgPath)
            } else {
                TimelineReport.sayNoneWritten(to: timeline.svgPath)
            }
            if result.status == "REFUSED_REPLACEMENT" {
                throw OperationFailure("the change set replaces "
                    + result.replacements.map { "\($0.logicalId) (\($0.type))" }.joined(separator: ", ")
                    + "; not executed (--fail-on-replacement), and the change set was deleted")
            }
        }
    }

    /// The cheaper egress for the same layout, if there is one, as one sentence.
    func cheaperShape(_ o: StackOptions, region: String) -> String? {
        let hasIPv6: Bool
        if case .reachable = UpstreamIPv6.check(o.upstream) { hasIPv6 = true } else { hasIPv6 = false }
        guard let c = ShapeComparison.cheaperEgress(than: o, region: region, upstreamHasIPv6: hasIPv6) else { return nil }
        return String(format: "%@ would cost $%.2f less per 30 days (%@); `cachedemo cost --compare` lists every shape",
                      c.flag, c.savingPerMonth, c.why)
    }

    /// A prompt only when a person is at the terminal and --yes was not given.
    func askBeforeExecuting(_ estimate: CostEstimate?, cheaper: String?) -> (@Sendable ([CloudFormationClient.Change]) -> Bool)? {
        if yes || !stdinIsTerminal { return nil }
        return { changes in
            if let estimate {
                progress(String(format: "\nWhile it exists this stack costs about $%.3f an hour, $%.0f per 30 days "
                    + "(estimate; `cachedemo cost` for the breakdown).", estimate.hourly, estimate.monthly))
            }
            if let cheaper { progress("Cheaper: " + cheaper + ".") }
            guard confirm("Execute this change set?") else { return false }
            // Losing state (the cache's data, the API's URL) gets a second, explicit question.
            let stateful = Replacements.planned(in: changes).filter(\.stateful)
            guard !stateful.isEmpty else { return true }
            let losses = stateful.map { "\($0.logicalId): \($0.consequence)" }.joined(separator: "; ")
            return confirm("It replaces what holds state (\(losses)). Replace?")
        }
    }

    func report(_ r: Deployer.Result, stackName: String, estimate: CostEstimate?, cheaper: String?, timeline: Timeline?) {
        switch output.format {
        case .json:
            printJSON([
                "stackName": stackName, "stackId": r.stackId, "status": r.status, "noChanges": r.noChanges,
                "executed": r.executed, "uploaded": r.uploaded, "code": r.codeLocation,
                "durationSeconds": (r.duration * 10).rounded() / 10, "outputs": r.outputs,
                "changeSetId": r.changeSetId ?? NSNull(), "operationToken": r.operationToken,
                "estimate": estimate.map { CostReport.json($0) } ?? NSNull(),
                "cheaperShape": cheaper ?? NSNull(),
                "timeline": timeline?.jsonObject ?? NSNull(),
                "changes": r.changes.map { ["action": $0.action, "logicalId": $0.logicalId, "type": $0.type,
                                            "replacement": $0.replacement ?? NSNull()] as [String: Any] },
                "replacements": r.replacements.map { ["logicalId": $0.logicalId, "type": $0.type, "replacement": $0.replacement,
                                                      "consequence": $0.consequence, "stateful": $0.stateful] as [String: Any] },
            ])
        case .text:
            guard r.executed, !r.noChanges else { return }
            OutputTable.print(r.outputs)
            let added = r.changes.filter { $0.action == "Add" }.count
            let modified = r.changes.filter { $0.action == "Modify" }.count
            let removed = r.changes.filter { $0.action == "Remove" }.count
            say("\(stackName): \(r.status) in \(String(format: "%.1f", r.duration)) s — \(added) created, \(modified) updated, \(removed) deleted")
        }
    }
}

/// The change set as a table: action, logical id, type, replacement; a replacement is
/// marked (red on a terminal) and said in words under the table, so it cannot be missed.
enum ChangeTable {
    static func print(_ changes: [CloudFormationClient.Change], color: Bool) {
        let replaced = Replacements.planned(in: changes)
        func mark(_ text: String) -> String { color ? "\u{1B}[1;31m\(text)\u{1B}[0m" : text }
        var lines = ["Action".padded(to: 8) + "  " + "Logical ID".padded(to: 36) + "  " + "Type".padded(to: 40) + "  Replacement"]
        for c in changes {
            let replacement = c.replacement ?? "-"
            let isReplaced = replaced.contains { $0.logicalId == c.logicalId }
            lines.append(c.action.padded(to: 8) + "  " + c.logicalId.padded(to: 36) + "  " + c.type.padded(to: 40) + "  "
                + (isReplaced ? mark(replacement + "  <- REPLACED") : replacement))
        }
        if changes.isEmpty { lines.append("(no resource changes; parameters or outputs only)") }
        if !replaced.isEmpty { lines.append("") }
        for r in replaced {
            lines.append(mark("replaced: \(r.logicalId) (\(r.type)): \(r.consequence)"))
        }
        writeStderr(lines.joined(separator: "\n") + "\n")
    }
}

/// Stack outputs, ApiEndpoint first.
enum OutputTable {
    static func print(_ outputs: [String: String]) {
        guard !outputs.isEmpty else { return }
        let keys = outputs.keys.sorted { a, b in a == CacheStack.OutputName.apiEndpoint || (b != CacheStack.OutputName.apiEndpoint && a < b) }
        let width = keys.map(\.count).max() ?? 0
        for k in keys { say("\(k.padded(to: width))  \(outputs[k]!)") }
    }
}
