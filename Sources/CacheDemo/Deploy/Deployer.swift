import AWS
import CloudFormation
import Foundation

/// `cachedemo deploy`: package, upload, render, change set, execute, follow, report.
public struct Deployer: Sendable {
    public struct Options: Sendable {
        public var stackName = "cachedemo"
        public var stack = StackOptions()
        public var artifactBucket: String?
        public var parameterOverrides: [String: String] = [:]
        public var tags: [String: String] = [:]
        public var execute = true
        public var replaceFailedStack = false
        public var waitForPending = true
        /// CI: stop before executing a change set that replaces anything, naming it.
        public var failOnReplacement = false
        /// Deploy `--egress ipv6` even when the upstream shows no IPv6 address from here.
        public var skipIPv6Check = false
        /// Move the NAT instances to the newest Amazon Linux 2023 AMI (replaces them).
        public var refreshNatImage = false
        public var timeout: TimeInterval?
        /// What this deploy decided from the stack it found (set by deploy, never by a flag).
        public var plan = DeployPlan()
        /// Templates larger than this go to the bucket and are passed as TemplateURL.
        public var templateBodyLimit = Deployer.templateBodyLimit
        /// The start of the ClientRequestToken of every stack operation this deploy runs (each
        /// gets its own suffix): CloudFormation writes it on each event the operation makes,
        /// so events and outcome are this deploy's own, whoever else works on the stack.
        public var operationToken = "cachedemo-" + UUID().uuidString.lowercased()
        /// How many times a deploy plans again after another operation changed the stack
        /// between its change set and the execution.
        public var replans = 3
        public init() {}
    }

    public struct Result: Sendable {
        public var stackId: String
        public var status: String
        public var changes: [CloudFormationClient.Change]
        public var outputs: [String: String]
        public var uploaded: Bool
        public var noChanges: Bool
        public var executed: Bool
        public var changeSetId: String?
        public var duration: TimeInterval
        public var codeLocation: String
        /// The ClientRequestToken prefix its stack operations carry (`Options.operationToken`).
        public var operationToken: String = ""
        /// The replacements the change set plans, and what each costs.
        public var replacements: [Replacements.Planned] { Replacements.planned(in: changes) }
    }

    let session: AWSSession
    let clock: Clock
    let progress: DeployProgress
    /// Asked before executing; nil means do not ask (CI, --yes, no TTY).
    let confirm: (@Sendable ([CloudFormationClient.Change]) -> Bool)?

    public init(session: AWSSession, clock: Clock = Clock(), progress: DeployProgress,
                confirm: (@Sendable ([CloudFormationClient.Change]) -> Bool)? = nil) {
        self.session = session
        self.clock = clock
        self.progress = progress
        self.confirm = confirm
    }

    var cfn: CloudFormationClient { CloudFormationClient(client: session.client) }
    var watcher: StackWatcher { StackWatcher(cfn: cfn, clock: clock, progress: progress) }

    /// CloudFormation's limit for an inline template.
    public static let templateBodyLimit = 51_200

    /// Deploys, planning again when another operation on the stack makes this deploy's change
    /// set stale (CloudFormation refuses to run it then): never a lost update reported as done.
    public func deploy(_ options: Options) throws -> Result {
        var attempt = 1
        var uploaded = false  // by an earlier attempt: a replan finds the code already there
        while true {
            do {
                return try deployOnce(options, uploadedEarlier: &uploaded)
            } catch let conflict as StackConflict {
                guard options.waitForPending else {
                    throw DeployError(.failed, "stack \(options.stackName) is busy with another operation (\(conflict.reason)); "
                        + "this deploy's change set did not run. Try again when it is done, or drop --no-wait-for-pending to wait")
                }
                guard attempt < options.replans else {
                    throw DeployError(.failed, "stack \(options.stackName) kept changing under this deploy (\(attempt) plans, "
                        + "each made stale: \(conflict.reason)); its last change set did not run. Try again when the other deploys are done")
                }
                attempt += 1
                progress.info("stack \(options.stackName) changed while this deploy was planning (\(conflict.reason)); "
                    + "waiting for that operation, then planning again (attempt \(attempt) of \(options.replans))")
            }
        }
    }

    /// Another operation got to the stack first: this deploy's change set will not run.
    struct StackConflict: Error {
        let reason: String

        /// What CloudFormation answers when a stack moved on under a change set: a CREATE for a
        /// stack that now exists, a change set made obsolete or deleted by another execution,
        /// a stack in the middle of another operation.
        static func from(_ error: Error) -> StackConflict? {
            guard let e = error as? AWSError else { return nil }
            switch e.code {
            case "AlreadyExistsException", "AlreadyExists", "InvalidChangeSetStatus", "ChangeSetNotFound", "ChangeSetNotFoundException":
                return StackConflict(reason: e.message.isEmpty ? e.code : e.message)
            // AWS answers a CREATE change set for a stack another deploy just made with a
            // ValidationError ("Stack [x] already exists and cannot be created again ...").
            case "ValidationError" where e.message.contains("_IN_PROGRESS state") || e.message.contains("already exists"):
                return StackConflict(reason: e.message)
            default: return nil
            }
        }
    }

    func deployOnce(_ options: Options, uploadedEarlier: inout Bool) throws -> Result {
        let started = clock.now()
        // Flags and overrides first: nothing is asked of AWS for a deploy that cannot run.
        try Self.checkOverrides(options.parameterOverrides, of: try CacheStack(options: options.stack, plan: options.plan).template())
        let identity = try STS(client: session.client).getCallerIdentity()
        progress.info("deploying stack \(options.stackName) to account \(identity.account), region \(session.region)")
        try checkEgress(options)

        let (changeSetType, deployedStack) = try prepareStack(options)
        let live = deployedStack?.stack
        let deployed = deployedStack?.reading
        var o = keepingDeployedChoices(options, deployed: deployed)
        let model = try CacheStack(options: o.stack, plan: o.plan).template()
        if model.parameters[NatInstanceEgress.imageParameter] != nil, o.parameterOverrides[NatInstanceEgress.imageParameter] == nil {
            o.plan.natImage = try natImage(o, pinned: deployedStack?.natImage, deployedType: deployed?.natInstanceType)
        }

        let store = ArtifactStore(s3: S3(client: session.client),
                                  bucket: o.artifactBucket ?? ArtifactStore.defaultBucket(account: identity.account, region: session.region))
        if o.artifactBucket == nil { try store.ensureBucket(progress: progress) }
        let package = try LambdaPackage.build(files: LambdaSources.handler + o.stack.caching.rules.files)
        let (key, uploadedNow) = try store.upload(package, stack: o.stackName)
        let uploaded = uploadedNow || uploadedEarlier
        uploadedEarlier = uploaded
        progress.info(uploadedNow ? "uploaded s3://\(store.bucket)/\(key) (\(package.size) bytes)"
                      : "code unchanged (s3://\(store.bucket)/\(key) already there)")

        let template = try model.rendered(as: .json)

        /// The first of two updates, when the change takes two (replica first, or shards first).
        var firstStep: Result?
        if !o.plan.replicaBeforeFailover, let deployed, let deployedStack {
            switch CacheShapeChange.plan(from: deployed, to: o.stack) {
            case .direct:
                if let note = CacheShapeChange.egressNote(from: deployed, to: o.stack) { progress.info("note: " + note) }
                if let note = CacheShapeChange.shapeNote(from: deployed, to: o.stack) { progress.info("note: " + note) }
            case .refused(let why): throw DeployError(.usage, why)
            case .replicaFirst:
                progress.info("single-AZ to Multi-AZ takes two updates: first the replica (failover off), then "
                    + "automatic failover and Multi-AZ (ElastiCache enables failover only once a replica exists)")
                var first = o
                first.plan.replicaBeforeFailover = true
                let step = try deploy(first)
                guard step.executed else { return step }  // --no-execute, or nothing to do
                progress.info("step 1 of 2 done; now enabling automatic failover and Multi-AZ")
                firstStep = step
            case .reshardFirst(let from, let to):
                progress.info("resharding from \(from) to \(to) shards as an update of its own, then the rest: AWS recommends "
                    + "a NumNodeGroups change be the only change in its stack update (CloudFormation does not roll node-group "
                    + "changes back); online resharding keeps the cache serving, minutes per shard")
                if let note = CacheShapeChange.egressNote(from: deployed, to: o.stack) { progress.info("note: " + note) }
                let step = try reshard(o, deployed: deployedStack, to: to, from: from, store: store,
                                       uploaded: uploaded, codeLocation: "s3://\(store.bucket)/\(key)")
                guard step.executed else { return step }  // --no-execute, or declined
                progress.info("step 1 of 2 done: \(to) shards; now the rest of the update")
                firstStep = step
            }
        }
        let liveKey = store.codeKey(in: live?.parameters ?? [:])
        try store.warnIfGone(liveKey, replacedBy: o.parameterOverrides[CacheStack.ParameterName.codeKey] ?? key, progress: progress)
        var parameters = [CacheStack.ParameterName.codeBucket: store.bucket, CacheStack.ParameterName.codeKey: key]
        // What the parts derive from the stack's name, where the template has the parameter.
        for (name, derived) in Self.derivedParameters where model.parameters[name] != nil {
            parameters[name] = derived.value(o.stackName)
        }
        if let image = o.plan.natImage { parameters[NatInstanceEgress.imageParameter] = image }
        for (k, v) in o.parameterOverrides.sorted(by: { $0.key < $1.key }) {
            if let own = parameters[k], own != v { progress.info("note: --parameter-overrides \(k)=\(v) replaces what deploy would set (\(own))") }
        }
        parameters.merge(o.parameterOverrides) { $1 }
        // The code the stack will run (an override may name other code than the upload): live again.
        let deployedKey = store.codeKey(in: parameters)
        if let deployedKey, deployedKey != key { store.unretire(key: deployedKey) }
        let (request, executionToken) = try changeSetRequest(o, type: changeSetType, template: template, parameters: parameters,
                                                             resourceTypes: model.resources.map(\.type), store: store)
        var result = Result(stackId: "", status: "", changes: [], outputs: [:], uploaded: uploaded, noChanges: false,
                            executed: false, changeSetId: nil, duration: 0, codeLocation: "s3://\(store.bucket)/\(key)",
                            operationToken: o.operationToken)

        result = try runChangeSet(request, type: changeSetType, executionToken: executionToken, options: o, result: result,
                                  started: started)
        // After a first step the deploy's changes are both updates'.
        if let firstStep {
            if result.noChanges { return firstStep }
            result.changes = firstStep.changes + result.changes
        }
        guard result.executed else { return result }
        store.retireAfterUpdate(previous: liveKey, now: deployedKey, progress: progress)
        return result
    }

    /// Deletes a change set that will not run; a CREATE change set made an empty stack in
    /// REVIEW_IN_PROGRESS, which goes too, so nothing is left behind.
    func withdraw(changeSet id: String, of stackName: String, type: String, stackId: String) {
        try? cfn.deleteChangeSet(id, stackName: stackName)
        // Only a stack still empty: once another deploy executed its own CREATE change set on
        // it, the stack is that deploy's, and deleting it would cancel that create.
        guard type == "CREATE", let stack = try? cfn.describeStack(stackId), stack.status == "REVIEW_IN_PROGRESS" else { return }
        try? cfn.deleteStack(stackId, clientToken: UUID().uuidString)
    }

    /// Before anything is uploaded: can the function reach the upstream the way the options say?
    func checkEgress(_ o: Options) throws {
        try ExistingNetworkCheck(client: session.client).check(o.stack)
        try OfferingsCheck(client: session.client, progress: progress).check(o.stack)
        try checkUpstreamSecrets(o)
        if !o.skipIPv6Check, let problem = UpstreamIPv6.problem(for: o.stack) {
            throw DeployError(.failed, problem + " (or --skip-ipv6-check if it has one where the function runs)")
        }
    }

    /// Each --upstream-secret names a secret that exists (DescribeSecret: its value is never
    /// read here; CloudFormation resolves it as it configures the function).
    func checkUpstreamSecrets(_ o: Options) throws {
        let secrets = SecretsManager(client: session.client), ssm = SSM(client: session.client)
        for s in o.stack.upstreamAccess.secrets {
            let flag = s.place == .header ? "--upstream-secret" : "--upstream-secret-query"
            switch s.source {
            case .secretsManager(let id, _) where try secrets.describe(id) == nil:
                throw DeployError(.failed, "\(flag) \(s.name): Secrets Manager in \(session.region) has no secret \(UserInput.quoted(id)); "
                    + "create it (aws secretsmanager create-secret --name \(id) --secret-string ...) or name another")
            case .ssm(let name) where try !ssm.exists(name):
                throw DeployError(.failed, "\(flag) \(s.name): SSM in \(session.region) has no parameter \(UserInput.quoted(name)); "
                    + "create it (aws ssm put-parameter --name \(name) --type SecureString --value ...) or name another")
            default: continue
            }
        }
    }

    /// The NAT instances' AMI: the one the stack was created with, so an unrelated deploy
    /// never replaces them (ImageId is create-only); the newest Amazon Linux 2023 for a new
    /// stack, a stack that had none, or with --refresh-nat-ami.
    func natImage(_ o: Options, pinned: String?, deployedType: String?) throws -> String {
        var kept = o.stack
        kept.withCreatedNetwork { $0.natInstanceType = deployedType ?? $0.natInstanceType }
        let sameArchitecture = kept.natInstanceArchitecture == o.stack.natInstanceArchitecture
        if !o.refreshNatImage, sameArchitecture, let pinned { return pinned }
        if !sameArchitecture {
            progress.info("note: --nat-instance-type \(o.stack.natInstanceType) is \(o.stack.natInstanceArchitecture.rawValue), the "
                + "instances run \(kept.natInstanceArchitecture.rawValue): a new AMI, so they are replaced (a short egress outage)")
        }
        let name = NatInstanceEgress.imageSSMParameter(o.stack.natInstanceArchitecture)
        let image = try SSM(client: session.client).parameter(name)
        progress.info("NAT instance AMI: \(image) (\(name))")
        return image
    }

    /// What an existing stack keeps unless told otherwise, read from its template:
    /// - an AUTH token, unless --cache-auth says otherwise: switching replaces the cache
    ///   (AuthToken is conditionally create-only), which a new default must never do behind a
    ///   CI pipeline's back;
    /// - the VPC's IPv6 blocks, once it had them: a subnet cannot give its block up while the
    ///   function's network interfaces hold addresses from it.
    func keepingDeployedChoices(_ o: Options, deployed: CacheShapeChange.Deployed?) -> Options {
        guard !o.plan.replicaBeforeFailover, let deployed else { return o }
        var kept = o
        if o.stack.cacheAuth == nil, o.stack.resolvedCacheAuth == .iam, deployed.hasAuthSecret {
            progress.info("note: stack \(o.stackName) authenticates to its cache with an AUTH token; keeping it "
                + "(--cache-auth iam switches, and may replace the cache: emptied, new endpoint)")
            kept.stack.cacheAuth = .token
        }
        if deployed.hasIPv6Block, o.stack.existingNetwork == nil {
            kept.plan.keepIPv6Addressing = true
        }
        return kept
    }

    /// CREATE or UPDATE, after dealing with a stack that cannot take a change set as it is;
    /// for an update, the stack as it is (its template read here, the one time per plan).
    func prepareStack(_ o: Options) throws -> (String, DeployedStack?) {
        guard var stack = try cfn.describeStack(o.stackName) else { return ("CREATE", nil) }
        if StackStatus.isInProgress(stack.status) && stack.status != "REVIEW_IN_PROGRESS" {
            guard o.waitForPending else {
                throw DeployError(.failed, "stack \(o.stackName) is busy (\(stack.status)); wait for it, or drop --no-wait-for-pending")
            }
            progress.info("stack \(o.stackName) is \(stack.status); waiting for that operation to finish first")
            let operation: StackStatus.Operation = stack.status.hasPrefix("DELETE") ? .delete : .update
            // Followed quietly: its events are that operation's, not this deploy's; how it ended is said.
            let other = try watcher.follow(stack: stack.id, operation: operation, token: o.operationToken, timeout: o.timeout) {}
            progress.info("that operation ended in \(other.status); going on with this deploy")
            guard let again = try cfn.describeStack(o.stackName) else { return ("CREATE", nil) }
            stack = again
        }
        if stack.status == "REVIEW_IN_PROGRESS" { return ("CREATE", nil) }
        if StackStatus.needsReplacement(stack.status) {
            guard o.replaceFailedStack else {
                throw DeployError(.failed, "stack \(o.stackName) is in \(stack.status) after a failed create and cannot be "
                    + "updated; run again with --replace-failed-stack to delete it and create it anew")
            }
            progress.info("deleting \(o.stackName) (\(stack.status)) to create it anew")
            let outcome = try watcher.delete(stack: stack.id, token: "\(o.operationToken)-replace", timeout: o.timeout)
            guard outcome.status == "DELETE_COMPLETE" else {
                throw DeployError(.failed, "could not delete the failed stack: " + Self.failureMessage(outcome, stack: o.stackName))
            }
            return ("CREATE", nil)
        }
        return ("UPDATE", try DeployedStack.read(stack, with: cfn))
    }

    func waitForChangeSet(_ id: String, stack: String) throws -> CloudFormationClient.ChangeSet {
        var interval = 0.25
        while true {
            let cs = try cfn.describeChangeSet(id, stackName: stack)
            if cs.status == "CREATE_COMPLETE" || cs.status == "FAILED" { return cs }
            if Interruption.shared.requested { throw DeployError(.interrupted, "stopped while the change set was being created") }
            clock.sleep(interval)
            interval = min(interval * 1.5, 2)
        }
    }

    func noChanges(_ o: Options, result: Result, started: Date) -> Result {
        progress.info("No changes to deploy: stack \(o.stackName) is up to date")
        var r = result
        r.noChanges = true
        if let stack = try? cfn.describeStack(o.stackName) {
            r.stackId = stack.id
            r.status = stack.status
            r.outputs = stack.outputs
        }
        r.duration = clock.now().timeIntervalSince(started)
        return r
    }

    /// The cache's RBAC user id for a stack: lowercase, starting with a letter, unique per stack
    /// name (a hash of it), stable across updates, short enough for "-default" and "-group".
    public static func cacheUserId(stack: String) -> String {
        var base = String(stack.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(20))
        while base.contains("--") { base = base.replacingOccurrences(of: "--", with: "-") }
        while base.hasSuffix("-") { base.removeLast() }
        if base.first?.isLetter != true { base = "c" + base }
        return "\(base)-\(Crypto.sha256(stack).hex.prefix(6))"
    }

    /// The serverless cache's name for a stack: unique per stack name and stable across
    /// updates (ServerlessCacheName is create-only), by the same rule as the user id.
    public static func serverlessCacheName(stack: String) -> String {
        "cachedemo-" + cacheUserId(stack: stack)
    }

    /// The capabilities CloudFormation will ask for, read off the model rather than asked
    /// of ValidateTemplate (a round trip that parses the whole template again).
    static func capabilities(of resourceTypes: [String]) -> [String] {
        resourceTypes.contains { $0.hasPrefix("AWS::IAM::") } ? ["CAPABILITY_IAM"] : []
    }

    /// Parameters the parts derive from the stack name so that every update agrees (an
    /// override would rename, and so replace, the cache's user or the serverless cache): the
    /// auth part's and every cache shape's. The others have a meaning of their own (README,
    /// deploy): `CodeS3Bucket`/`CodeS3Key` run other code than the upload (an earlier
    /// artifact), `NatImageId` pins the NAT instances' AMI.
    static var derivedParameters: [String: (value: @Sendable (_ stack: String) -> String, why: String)] {
        var all = CacheAuthPart.derivedParameters
        for part in CacheParts.all { all.merge(part.derivedParameters) { first, _ in first } }
        return all
    }

    /// Refuses overrides of what deploy derives; a flag check, made before any call.
    public static func checkDerived(overrides: [String: String]) throws(StackOptionsError) {
        for k in overrides.keys.sorted() {
            if let why = derivedParameters[k]?.why { throw .init("--parameter-overrides: \(k) is cachedemo's own: \(why); drop it") }
        }
    }

    /// Overrides must name a parameter of the template, not one deploy sets, and not be empty.
    static func checkOverrides(_ overrides: [String: String], of template: Template) throws {
        let known = template.parameters.keys.sorted()
        do { try checkDerived(overrides: overrides) } catch { throw DeployError(.usage, error.description) }
        for (k, v) in overrides.sorted(by: { $0.key < $1.key }) {
            guard known.contains(k) else {
                throw DeployError(.usage, "--parameter-overrides: \(UserInput.quoted(k)) is not a parameter of the template (it has \(known.joined(separator: ", ")))")
            }
            guard !v.isEmpty else { throw DeployError(.usage, "--parameter-overrides: \(k) is empty") }
        }
    }

    /// AWS answers a no-op update with a FAILED change set; the emulator refuses to create one.
    static func meansNoChanges(_ reason: String) -> Bool {
        reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
    }

    static func failureMessage(_ outcome: StackWatcher.Outcome, stack: String) -> String {
        if let cause = outcome.rootCause {
            return "stack \(stack) ended in \(outcome.status); root cause: \(cause.logicalId) (\(cause.type)) "
                + "\(cause.status): \(cause.reason ?? "no reason given")"
                + (cause.reason.flatMap(OfferingsCheck.explainCapacity).map { ". " + $0 } ?? "")
        }
        return "stack \(stack) ended in \(outcome.status)"
    }
}
