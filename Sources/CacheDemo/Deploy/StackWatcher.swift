import AWS
import Foundation

/// Follows a stack operation until CloudFormation reaches a terminal state: one progress
/// line per new event (de-duplicated by event id), adaptive polling that backs off and
/// slows down further when throttled, and the first failure as the root cause.
public struct StackWatcher: Sendable {
    let cfn: CloudFormationClient
    let clock: Clock
    let progress: DeployProgress
    /// Poll intervals: fast at first, then at most `maxInterval` apart, so a finished stack
    /// is noticed within about a second without coming near CloudFormation's rate limits.
    var firstInterval: TimeInterval = 0.25
    var maxInterval: TimeInterval = 1.0
    /// After this long with no new event, say which resources are still in progress.
    var quietReport: TimeInterval = 30

    public init(cfn: CloudFormationClient, clock: Clock, progress: DeployProgress) {
        self.cfn = cfn
        self.clock = clock
        self.progress = progress
    }

    public struct Outcome: Sendable {
        public let status: String
        public let events: [CloudFormationClient.Event]
        /// The first resource that failed, not the last rollback message.
        public let rootCause: CloudFormationClient.Event?
    }

    /// Events already present before the operation started, so only new ones are shown.
    public func existingEventIds(_ stack: String) -> Set<String> {
        Set(((try? cfn.describeStackEvents(stack, limit: 100)) ?? []).map(\.id))
    }

    /// Starts an operation with `start` and follows it to its end, showing only the events it
    /// makes: new since the start and, where `token` is given, carrying a ClientRequestToken
    /// that begins with it (another operation's events carry its own).
    public func follow(stack stackId: String, operation: StackStatus.Operation, token: String? = nil, expectedResources: Int? = nil,
                       timeout: TimeInterval?, start: () throws -> Void) throws -> Outcome {
        let seen = existingEventIds(stackId)
        try start()
        return try wait(stack: stackId, operation: operation, since: seen, token: token, expectedResources: expectedResources,
                        timeout: timeout)
    }

    /// DeleteStack, followed to its end, with a token of its own.
    public func delete(stack stackId: String, token: String,
                       timeout: TimeInterval?) throws -> Outcome {
        try follow(stack: stackId, operation: .delete, token: token, timeout: timeout) {
            try cfn.deleteStack(stackId, clientToken: token)
        }
    }

    /// Whether an event belongs to the operations whose tokens begin with `token` (all, when
    /// there is none to tell them by).
    public static func isOwn(_ e: CloudFormationClient.Event, token: String?) -> Bool {
        guard let token else { return true }
        return e.clientRequestToken?.hasPrefix(token) == true
    }

    public func wait(stack stackId: String, operation: StackStatus.Operation, since seen: Set<String>, token: String? = nil,
                     expectedResources: Int?, timeout: TimeInterval?) throws -> Outcome {
        var seen = seen
        var newEvents: [CloudFormationClient.Event] = []
        var interval = firstInterval
        let started = clock.now()
        var lastChange = started
        var reportedQuiet = false
        var done = 0
        while true {
            if Interruption.shared.requested {
                throw DeployError(.interrupted, "stopped waiting; the stack operation continues in CloudFormation. "
                    + "Follow it with: cachedemo status --stack-name \(Self.name(of: stackId))")
            }
            do {
                /// Shows the events not seen yet, oldest first (the API lists newest first, and
                /// events within one second keep that order, reversed); true when there were any.
                func showNewEvents() throws -> Bool {
                    let events = try cfn.describeStackEvents(stackId, limit: 100)
                    let fresh = Array(events.filter { !seen.contains($0.id) && Self.isOwn($0, token: token) }.reversed())
                    for e in fresh {
                        seen.insert(e.id)
                        newEvents.append(e)
                        if e.type != "AWS::CloudFormation::Stack", e.status.hasSuffix("_COMPLETE") { done += 1 }
                        progress.event(e, done: done, total: expectedResources)
                    }
                    return !fresh.isEmpty
                }
                if try showNewEvents() {
                    lastChange = clock.now()
                    reportedQuiet = false
                }
                // Our own operation's end, whatever the stack is doing now: another operation
                // may already have begun after it (a waiting deploy), and is not ours to wait for.
                if token != nil, let own = newEvents.last(where: { $0.type == "AWS::CloudFormation::Stack" && StackStatus.isTerminal($0.status) }) {
                    return Outcome(status: own.status, events: newEvents, rootCause: Self.rootCause(newEvents))
                }
                let stack = try cfn.describeStack(stackId)
                let status = stack?.status ?? (operation == .delete ? "DELETE_COMPLETE" : "UNKNOWN")
                if StackStatus.isTerminal(status) {
                    // Events written between the two calls would otherwise be lost, failures among them.
                    _ = try showNewEvents()
                    // The stack's state may be another operation's, run after ours: our own
                    // stack-level terminal event says how ours ended.
                    let own = token == nil ? nil : newEvents.last { $0.type == "AWS::CloudFormation::Stack" && StackStatus.isTerminal($0.status) }
                    return Outcome(status: own?.status ?? status, events: newEvents, rootCause: Self.rootCause(newEvents))
                }
                interval = min(maxInterval, interval * 1.5)
            } catch let e as AWSError where e.isThrottling {
                // Throttled while polling: a reason to slow down, never a failed deploy.
                interval = min(interval * 2, 10)
                progress.info("polling throttled by CloudFormation; slowing down to every \(Int(interval)) s")
            }
            let now = clock.now()
            if !reportedQuiet, now.timeIntervalSince(lastChange) >= quietReport {
                reportedQuiet = true
                reportInProgress(stackId, operation: operation)
            }
            if let timeout, now.timeIntervalSince(started) >= timeout {
                throw DeployError(.timedOut, "gave up waiting after \(Int(timeout)) s; the stack operation continues in "
                    + "CloudFormation. Follow it with: cachedemo status --stack-name \(Self.name(of: stackId))")
            }
            clock.sleep(interval)
        }
    }

    private func reportInProgress(_ stackId: String, operation: StackStatus.Operation) {
        guard let resources = try? cfn.describeStackResources(stackId) else { return }
        let busy = resources.filter { StackStatus.isInProgress($0.status) }
        guard !busy.isEmpty else { return }
        progress.info("still in progress: " + busy.map { "\($0.logicalId) (\($0.type))" }.joined(separator: ", "))
        if operation == .delete, busy.contains(where: { $0.type == "AWS::Lambda::Function" || $0.type == "AWS::EC2::SecurityGroup"
            || $0.type == "AWS::EC2::Subnet" })
        {
            progress.info("AWS releases a VPC function's network interfaces slowly; this part of a delete can take "
                + "20-40 minutes. CloudFormation is still working.")
        }
    }

    /// The first failure in time (events arrive oldest first), skipping the cancellations it caused.
    static func rootCause(_ events: [CloudFormationClient.Event]) -> CloudFormationClient.Event? {
        let failures = events.filter { $0.status.hasSuffix("_FAILED") }
        let cancelled = ["Resource creation cancelled", "Resource update cancelled", "Resource deletion cancelled"]
        return failures.first { e in
            e.type != "AWS::CloudFormation::Stack" && !cancelled.contains { (e.reason ?? "").hasPrefix($0) }
        } ?? failures.first
    }

    static func name(of stackId: String) -> String {
        // arn:aws:cloudformation:region:account:stack/NAME/uuid
        let parts = stackId.split(separator: "/")
        return stackId.hasPrefix("arn:") && parts.count >= 2 ? String(parts[1]) : stackId
    }
}
