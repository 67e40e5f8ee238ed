import AWS
import Foundation

/// `cachedemo destroy`: DeleteStack, follow it to DELETE_COMPLETE, optionally purge the
/// stack's artifacts.
public struct Destroyer: Sendable {
    public struct Options: Sendable {
        public var stackName = "cachedemo"
        public var purgeArtifacts = false
        public var artifactBucket: String?
        public var timeout: TimeInterval?
        public init() {}
    }

    public struct Result: Sendable {
        public var existed: Bool
        public var stackId: String?
        public var status: String
        public var purgedObjects: Int
        public var duration: TimeInterval
        /// What the services still report after the delete (empty: nothing left).
        public var leftovers: [LeakCheck.Leftover] = []
        /// The DeleteStack's ClientRequestToken: its events are the ones that carry it.
        public var operationToken: String?
        public var billableLeft: Bool { leftovers.contains { $0.billable } }
    }

    let session: AWSSession
    let clock: Clock
    let progress: DeployProgress

    public init(session: AWSSession, clock: Clock = Clock(), progress: DeployProgress) {
        self.session = session
        self.clock = clock
        self.progress = progress
    }

    public func destroy(_ o: Options) throws -> Result {
        let started = clock.now()
        let cfn = CloudFormationClient(client: session.client)
        guard let stack = try cfn.describeStack(o.stackName) else {
            var purged = 0
            if o.purgeArtifacts { purged = try purge(o) }
            progress.info("nothing to destroy: stack \(o.stackName) does not exist")
            return Result(existed: false, stackId: nil, status: "NONE", purgedObjects: purged, duration: 0)
        }
        if stack.terminationProtection {
            throw DeployError(.failed, "stack \(o.stackName) has termination protection on; turn it off first "
                + "(aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name \(o.stackName))")
        }
        let inventory = LeakCheck.Inventory(resources: (try? cfn.describeStackResources(stack.id)) ?? [])
        progress.info("deleting stack \(o.stackName) (\(stack.status))")
        let token = "cachedemo-" + UUID().uuidString.lowercased()
        let outcome = try StackWatcher(cfn: cfn, clock: clock, progress: progress).delete(stack: stack.id, token: token, timeout: o.timeout)
        guard outcome.status == "DELETE_COMPLETE" else {
            throw DeployError(.failed, Deployer.failureMessage(outcome, stack: o.stackName))
        }
        let purged = o.purgeArtifacts ? try purge(o) : 0
        let leftovers = try LeakCheck(client: session.client).check(stackName: o.stackName, inventory: inventory)
        if leftovers.isEmpty {
            progress.info("nothing billable left: no NAT gateway or instance, Elastic IP, cache (nodes or serverless) or function of \(o.stackName) remains"
                + (o.purgeArtifacts ? "" : " (the artifact bucket stays; --purge-artifacts removes this stack's objects)"))
        } else {
            for l in leftovers {
                progress.info("left behind: \(l.kind) \(l.id)\(l.billable ? " (still billing)" : "")")
            }
        }
        return Result(existed: true, stackId: stack.id, status: outcome.status, purgedObjects: purged,
                      duration: clock.now().timeIntervalSince(started), leftovers: leftovers, operationToken: token)
    }

    private func purge(_ o: Options) throws -> Int {
        let identity = try STS(client: session.client).getCallerIdentity()
        let bucket = o.artifactBucket ?? ArtifactStore.defaultBucket(account: identity.account, region: session.region)
        let store = ArtifactStore(s3: S3(client: session.client), bucket: bucket)
        guard try store.s3.headBucket(bucket) else { return 0 }
        let n = try store.purge(stack: o.stackName)
        progress.info("deleted \(n) artifact\(n == 1 ? "" : "s") of \(o.stackName) from s3://\(bucket)")
        return n
    }
}
