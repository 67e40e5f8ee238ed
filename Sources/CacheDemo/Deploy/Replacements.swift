import AWS

/// What a change set's replacements cost the user, in words: CloudFormation says a resource
/// will be replaced ("Replacement: True", or "Conditional"), not what is lost with it.
public enum Replacements {
    public struct Planned: Sendable, Equatable {
        public let logicalId: String
        public let type: String
        /// "True" or "Conditional", as the change set says.
        public let replacement: String
        public let consequence: String
        /// Holds data or an address users depend on: the prompt asks a second time.
        public let stateful: Bool
    }

    /// Per resource type: what replacing it loses, and whether that is state. The cache's and
    /// the way out's resources are their parts' own (`replacementConsequences`).
    static let consequences: [String: (String, stateful: Bool)] = CacheParts.replacementConsequences
        .merging(EgressParts.replacementConsequences) { cache, _ in cache }.merging([
        "AWS::EC2::VPC": ("everything in the VPC is rebuilt: the cache is emptied, egress and the function's network are cut meanwhile", true),
        "AWS::EC2::Subnet": ("what runs in the subnet moves: the cache may be replaced, the function's network is rebuilt", true),
        "AWS::ApiGatewayV2::Api": ("the HTTP API's URL changes: every client must be told the new one", true),
        "AWS::ApiGatewayV2::Stage": ("the API's stage is re-created: requests fail until it is", false),
        "AWS::EC2::SecurityGroup": ("a new security group: the function's network interfaces move to it; calls during the switch may fail", false),
        "AWS::Lambda::Function": ("a new function: its name and ARN change, and cold starts follow", false),
        "AWS::Logs::LogGroup": ("a new log group: the old one is deleted with the logs in it", false),
        "AWS::SecretsManager::Secret": ("a new secret: the cache's AUTH token changes with it", true),
        "AWS::IAM::Role": ("a new role: the function's permissions are re-attached", false),
    ]) { cache, _ in cache }

    /// The replacements a change set plans, with their cost.
    public static func planned(in changes: [CloudFormationClient.Change]) -> [Planned] {
        changes.compactMap { c in
            guard let r = c.replacement, r == "True" || r == "Conditional" else { return nil }
            let (what, stateful) = consequences[c.type] ?? ("it is deleted and created anew", false)
            return Planned(logicalId: c.logicalId, type: c.type, replacement: r,
                           consequence: r == "Conditional" ? "may be replaced: \(what)" : what, stateful: stateful)
        }
    }
}
