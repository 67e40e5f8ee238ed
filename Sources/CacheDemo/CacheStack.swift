import CloudFormation

/// Builds the cachedemo stack — network, cache, function, HTTP API — as a typed template.
public struct CacheStack {
    public let options: StackOptions
    /// What a deploy decided from the stack it found (nothing, for `template`).
    public let plan: DeployPlan

    /// Template parameters: where the function's code lives, so `template` needs no deploy.
    public enum ParameterName {
        public static let codeBucket = "CodeS3Bucket"
        public static let codeKey = "CodeS3Key"
    }

    /// The stack's outputs, read back by deploy, status and smoke-test.
    public enum OutputName {
        public static let apiEndpoint = "ApiEndpoint"
        public static let cacheEndpoint = "CacheEndpoint"
        public static let functionName = "FunctionName"
        public static let vpcId = "VpcId"
        public static let apiId = "ApiId"
        public static let replicationGroupId = "CacheReplicationGroupId"
        public static let serverlessCacheName = "ServerlessCacheName"
        public static let authTokenSecretArn = "CacheAuthTokenSecretArn"
        public static let functionLogGroup = "FunctionLogGroupName"
        public static let cacheRules = "CacheRules"
    }

    public init(options: StackOptions, plan: DeployPlan = DeployPlan()) {
        self.options = options
        self.plan = plan
    }

    /// Tags on every taggable resource, so the stack's parts can be found (and billed) by name.
    static let tags: [Tag] = [Tag("app", "cachedemo"), Tag(stackTagKey, .pseudo(.stackName))]
    /// The tag that names a resource's stack: destroy's leak check finds leftovers by it.
    static let stackTagKey = "cachedemo:stack"
    static let tagMap: [String: Value] = Dictionary(uniqueKeysWithValues: tags.map { ($0.key, $0.value) })

    public func template() throws(StackOptionsError) -> Template {
        try options.validate()
        var t = Template(description: description)
        t.parameters[ParameterName.codeBucket] = Parameter(
            description: "S3 bucket holding the Lambda zip (cachedemo deploy fills this in)",
            allowedPattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
            constraintDescription: "an S3 bucket name")
        t.parameters[ParameterName.codeKey] = Parameter(
            description: "S3 key of the Lambda zip (cachedemo deploy fills this in)",
            allowedPattern: "^.+$", constraintDescription: "a non-empty S3 key")
        let network = Network(options: options, plan: plan).add(to: &t)
        let auth = CacheAuthPart.add(to: &t, options: options)
        let cache = addCache(to: &t, network: network, auth: auth)
        let function = addFunction(to: &t, network: network, cache: cache, auth: auth)
        addHttpApi(to: &t, function: function)
        t.outputs[OutputName.vpcId] = Output(network.vpc, description: "The stack's VPC")
        // What the zip's cache-rules.json says, where a reviewer of the template sees it.
        if !options.caching.rules.rules.isEmpty {
            t.outputs[OutputName.cacheRules] = Output(.string(options.caching.rules.summary),
                                                      description: "Caching rules per path (--cache-rules), first match wins")
        }
        return t
    }

    private var description: String {
        // Today's stacks keep their description word for word: a single-AZ stack with a NAT
        // gateway says nothing more.
        var details: [String] = []
        if options.multiAZ || options.egress != .natGateway || options.existingNetwork != nil {
            details.append(Network.egressSummary(options))
        }
        if let summary = options.cachePart.summary { details.append(summary) }
        let layout = (options.multiAZ ? "Multi-AZ" : "single-AZ") + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
        return "cachedemo: API Gateway HTTP API -> Lambda in a VPC -> ElastiCache \(options.engine.rawValue) "
            + "read-through cache, \(layout). Rendered by cachedemo; do not edit by hand."
    }
}
