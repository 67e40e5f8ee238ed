import AWS
import Foundation

/// One change set, from its creation to the end of its execution: create it, wait until it
/// is ready, show it, stop where the options say (--no-execute, --fail-on-replacement, a
/// "no" at the prompt), execute it with this deploy's token and follow only its own events.
/// Another operation that got to the stack first makes it a `StackConflict`.
extension Deployer {
    func runChangeSet(_ request: CloudFormationClient.ChangeSetRequest, type changeSetType: String, executionToken: String,
                      options o: Options, result initial: Result, started: Date, failureNote: String? = nil) throws -> Result {
        var result = initial
        let created: (id: String, stackId: String?)
        do {
            created = try cfn.createChangeSet(request)
        } catch let e as AWSError where Self.meansNoChanges(e.message) {
            return noChanges(o, result: result, started: started)
        } catch {
            throw StackConflict.from(error) ?? error
        }
        result.changeSetId = created.id
        let changeSet: CloudFormationClient.ChangeSet
        do { changeSet = try waitForChangeSet(created.id, stack: o.stackName) } catch { throw StackConflict.from(error) ?? error }
        if changeSet.status == "FAILED" {
            if Self.meansNoChanges(changeSet.statusReason ?? "") {
                try? cfn.deleteChangeSet(created.id, stackName: o.stackName)
                return noChanges(o, result: result, started: started)
            }
            throw DeployError(.failed, "the change set failed: \(changeSet.statusReason ?? "no reason given")")
        }
        result.changes = changeSet.changes
        result.stackId = changeSet.stackId ?? created.stackId ?? o.stackName
        progress.changes(changeSet.changes)

        guard o.execute else {
            progress.info("change set ready, not executed (--no-execute). Execute it with:\n"
                + "  aws cloudformation execute-change-set --stack-name \(o.stackName) --change-set-name \(created.id)")
            result.status = "REVIEW"
            result.duration = clock.now().timeIntervalSince(started)
            return result
        }
        let replaced = Replacements.planned(in: changeSet.changes)
        if o.failOnReplacement, !replaced.isEmpty {
            // Not executed; the caller reports the replacements (and JSON lists them) and fails.
            withdraw(changeSet: created.id, of: o.stackName, type: changeSetType, stackId: result.stackId)
            result.status = "REFUSED_REPLACEMENT"
            result.duration = clock.now().timeIntervalSince(started)
            return result
        }
        if let confirm, !confirm(changeSet.changes) {
            withdraw(changeSet: created.id, of: o.stackName, type: changeSetType, stackId: result.stackId)
            throw DeployError(Interruption.shared.requested ? .interrupted : .failed,
                              "deploy cancelled; the change set\(changeSetType == "CREATE" ? " and the empty stack it made were" : " was") "
                + "deleted and nothing changed")
        }

        let operation: StackStatus.Operation = changeSetType == "CREATE" ? .create : .update
        let outcome: StackWatcher.Outcome
        do {
            outcome = try watcher.follow(stack: result.stackId, operation: operation, token: o.operationToken,
                                         expectedResources: changeSet.changes.count, timeout: o.timeout) {
                try cfn.executeChangeSet(created.id, stackName: o.stackName, clientToken: executionToken)
                result.executed = true
            }
        } catch where !result.executed {
            guard let conflict = StackConflict.from(error) else { throw error }
            // Only the change set goes: a CREATE's stack may be the one another deploy is creating.
            try? cfn.deleteChangeSet(created.id, stackName: o.stackName)
            throw conflict
        }
        result.status = outcome.status
        result.duration = clock.now().timeIntervalSince(started)
        guard StackStatus.isSuccess(outcome.status, operation: operation) else {
            throw DeployError(.failed, Self.failureMessage(outcome, stack: o.stackName) + (failureNote.map { "; " + $0 } ?? ""))
        }
        result.outputs = try cfn.describeStack(result.stackId)?.outputs ?? [:]
        return result
    }

    /// A change set of this deploy's: a name no other deploy shares (two started in one second
    /// must not clash), the execution token its events will carry, the stack's tags, the
    /// capabilities its resources need, and a template over the inline limit passed by URL.
    func changeSetRequest(_ o: Options, type: String, template: String, parameters: [String: String], resourceTypes: [String],
                          store: ArtifactStore) throws -> (CloudFormationClient.ChangeSetRequest, executionToken: String) {
        var templateURL: String?
        if template.utf8.count > o.templateBodyLimit {
            templateURL = try store.uploadTemplate(template, stack: o.stackName)
            progress.info("template is \(template.utf8.count) bytes, over CloudFormation's inline limit: passed as \(templateURL!)")
        }
        var tags = ["app": "cachedemo"]
        tags.merge(o.tags) { $1 }
        let attemptId = UUID().uuidString.prefix(8).lowercased()
        let request = CloudFormationClient.ChangeSetRequest(
            stackName: o.stackName, changeSetName: "cachedemo-\(Int(clock.now().timeIntervalSince1970))-\(attemptId)",
            changeSetType: type, templateBody: templateURL == nil ? template : nil, templateURL: templateURL,
            parameters: parameters, capabilities: Self.capabilities(of: resourceTypes), tags: tags, clientToken: UUID().uuidString)
        return (request, "\(o.operationToken)-\(attemptId)")
    }

    /// Step one of a resharding: the template the stack runs now with only NumNodeGroups
    /// changed, and every parameter as it is, so the node groups change alone, as AWS asks.
    func reshard(_ o: Options, deployed: DeployedStack, to shards: Int, from: Int,
                 store: ArtifactStore, uploaded: Bool, codeLocation: String) throws -> Result {
        let live = deployed.stack
        guard let body = deployed.templateBody.flatMap({ Self.withShards(shards, in: $0) }),
              let resources = DeployedTemplate.parse(body)?["Resources"] as? [String: Any]
        else { throw DeployError(.failed, "the deployed template has no single NumNodeGroups of \(CacheStack.cacheId) to reshard") }
        let types = resources.values.compactMap { ($0 as? [String: Any])?["Type"] as? String }
        let (request, executionToken) = try changeSetRequest(o, type: "UPDATE", template: body, parameters: live.parameters,
                                                             resourceTypes: types, store: store)
        let initial = Result(stackId: live.id, status: "", changes: [], outputs: [:], uploaded: uploaded, noChanges: false, executed: false,
                             changeSetId: nil, duration: 0, codeLocation: codeLocation, operationToken: o.operationToken)
        return try runChangeSet(request, type: "UPDATE", executionToken: executionToken, options: o,
                                result: initial, started: clock.now(), failureNote: Self.failedReshardNote(from: from, to: shards))
    }

    /// The deployed template's text with only its one NumNodeGroups changed (JSON as deploy
    /// sends it, or YAML as committed): when the shards were all that changed, the second
    /// update's template is then this very text, and CloudFormation finds nothing to do.
    static func withShards(_ shards: Int, in body: String) -> String? {
        let pattern = #"("NumNodeGroups"\s*:\s*|\bNumNodeGroups:\s*)[0-9]+"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              regex.numberOfMatches(in: body, range: NSRange(body.startIndex..., in: body)) == 1 else { return nil }
        return regex.stringByReplacingMatches(in: body, range: NSRange(body.startIndex..., in: body), withTemplate: "$1\(shards)")
    }

    /// What a failed resharding leaves: CloudFormation rolls the node groups back no further.
    static func failedReshardNote(from: Int, to: Int) -> String {
        "CloudFormation does not roll node-group changes back: the cluster keeps whatever shards ElastiCache had "
            + "\(to < from ? "removed" : "added") (cachedemo status shows the stack; the cache's NumNodeGroups may be "
            + "between \(min(from, to)) and \(max(from, to))). ElastiCache may not remove as many shards as asked: a shard "
            + "holding an item over 256 MB is kept, and the shards that stay need 1.5 times the memory of those removed. "
            + "Deploy again with the --shards you want once the cause is fixed"
    }
}
