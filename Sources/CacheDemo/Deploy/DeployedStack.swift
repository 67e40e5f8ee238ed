import AWS

/// The stack as deploy finds it, read once per plan: its description (status, parameters,
/// outputs) and its template, as text (the resharding step edits it) and read typed
/// (what the parts recognize in it). Every decision about the update starts from this.
struct DeployedStack: Sendable {
    let stack: CloudFormationClient.Stack
    let templateBody: String?
    /// nil: no template, or not one cachedemo made.
    let reading: CacheShapeChange.Deployed?

    init(stack: CloudFormationClient.Stack, templateBody: String?) {
        self.stack = stack
        self.templateBody = templateBody
        reading = templateBody.flatMap(CacheShapeChange.Deployed.from)
    }

    static func read(_ stack: CloudFormationClient.Stack, with cfn: CloudFormationClient) throws -> DeployedStack {
        DeployedStack(stack: stack, templateBody: try cfn.getTemplate(stack.id))
    }

    /// The AMI the NAT instances run, as the stack was last given it.
    var natImage: String? { stack.parameters[NatInstanceEgress.imageParameter].flatMap { $0.isEmpty ? nil : $0 } }
}
