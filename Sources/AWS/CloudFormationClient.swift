import Foundation

/// CloudFormation over its query protocol (Version 2010-05-15): the calls deploy,
/// status and destroy need.
public struct CloudFormationClient: Sendable {
    public let client: AWSClient
    static let version = "2010-05-15"

    public init(client: AWSClient) { self.client = client }

    func call(_ action: String, _ params: [(String, String)]) throws -> XMLElement {
        try client.query(.cloudformation, action: action, version: Self.version, parameters: params)
    }

    public struct Stack: Sendable {
        public let id: String
        public let name: String
        public let status: String
        public let statusReason: String?
        public let outputs: [String: String]
        public let parameters: [String: String]
        public let terminationProtection: Bool
    }

    public struct Event: Sendable, Equatable {
        public let id: String
        public let timestamp: Date
        public let logicalId: String
        public let physicalId: String?
        public let type: String
        public let status: String
        public let reason: String?
        /// The token of the operation that wrote it (every event of one ExecuteChangeSet or
        /// DeleteStack carries the token that call was given): how a deploy tells its own
        /// events from those of another operation on the same stack.
        public let clientRequestToken: String?
        public init(id: String, timestamp: Date, logicalId: String, physicalId: String?, type: String, status: String, reason: String?,
                    clientRequestToken: String? = nil) {
            self.clientRequestToken = clientRequestToken
            self.id = id
            self.timestamp = timestamp
            self.logicalId = logicalId
            self.physicalId = physicalId
            self.type = type
            self.status = status
            self.reason = reason
        }
    }

    public struct Resource: Sendable {
        public let logicalId: String
        public let physicalId: String?
        public let type: String
        public let status: String
        public let reason: String?
        public init(logicalId: String, physicalId: String?, type: String, status: String, reason: String?) {
            (self.logicalId, self.physicalId, self.type, self.status, self.reason) = (logicalId, physicalId, type, status, reason)
        }
    }

    public struct Change: Sendable, Equatable {
        public let action: String
        public let logicalId: String
        public let type: String
        public let replacement: String?
        public init(action: String, logicalId: String, type: String, replacement: String?) {
            self.action = action
            self.logicalId = logicalId
            self.type = type
            self.replacement = replacement
        }
    }

    public struct ChangeSet: Sendable {
        public let id: String
        public let stackId: String?
        public let status: String
        public let statusReason: String?
        public let executionStatus: String?
        public let changes: [Change]
    }

    public func validateTemplate(body: String? = nil, url: String? = nil) throws -> [String] {
        var params: [(String, String)] = []
        if let body { params.append(("TemplateBody", body)) }
        if let url { params.append(("TemplateURL", url)) }
        let xml = try call("ValidateTemplate", params)
        return xml.find("Capabilities")?.all("member").map(\.text) ?? []
    }

    /// The stack, or nil when it does not exist.
    public func describeStack(_ name: String) throws -> Stack? {
        do {
            let xml = try call("DescribeStacks", [("StackName", name)])
            guard let s = xml.find("Stacks")?.child("member") else { return nil }
            var outputs: [String: String] = [:]
            for o in s.child("Outputs")?.all("member") ?? [] { outputs[o.value("OutputKey") ?? ""] = o.value("OutputValue") ?? "" }
            var parameters: [String: String] = [:]
            for p in s.child("Parameters")?.all("member") ?? [] {
                parameters[p.value("ParameterKey") ?? ""] = p.value("ParameterValue") ?? ""
            }
            return Stack(id: s.value("StackId") ?? "", name: s.value("StackName") ?? name, status: s.value("StackStatus") ?? "",
                         statusReason: s.value("StackStatusReason"), outputs: outputs, parameters: parameters,
                         terminationProtection: s.value("EnableTerminationProtection") == "true")
        } catch let e as AWSError where e.code == "ValidationError" && e.message.contains("does not exist") {
            return nil
        }
    }

    /// Events newest first, up to `limit`, following NextToken.
    public func describeStackEvents(_ stack: String, limit: Int = 1000) throws -> [Event] {
        var events: [Event] = []
        var token: String?
        repeat {
            var params = [("StackName", stack)]
            if let token { params.append(("NextToken", token)) }
            let xml = try call("DescribeStackEvents", params)
            for e in xml.find("StackEvents")?.all("member") ?? [] {
                events.append(Event(id: e.value("EventId") ?? UUID().uuidString,
                                    timestamp: e.value("Timestamp").flatMap(ISO8601.parse) ?? Date(),
                                    logicalId: e.value("LogicalResourceId") ?? "", physicalId: e.value("PhysicalResourceId"),
                                    type: e.value("ResourceType") ?? "", status: e.value("ResourceStatus") ?? "",
                                    reason: e.value("ResourceStatusReason"), clientRequestToken: e.value("ClientRequestToken")))
            }
            token = xml.find("NextToken")?.text
            if token?.isEmpty == true { token = nil }
        } while token != nil && events.count < limit
        return events
    }

    public func describeStackResources(_ stack: String) throws -> [Resource] {
        let xml = try call("DescribeStackResources", [("StackName", stack)])
        return (xml.find("StackResources")?.all("member") ?? []).map {
            Resource(logicalId: $0.value("LogicalResourceId") ?? "", physicalId: $0.value("PhysicalResourceId"),
                     type: $0.value("ResourceType") ?? "", status: $0.value("ResourceStatus") ?? "",
                     reason: $0.value("ResourceStatusReason"))
        }
    }

    public struct ChangeSetRequest: Sendable {
        public var stackName: String
        public var changeSetName: String
        public var changeSetType: String  // CREATE or UPDATE
        public var templateBody: String?
        public var templateURL: String?
        public var parameters: [String: String]
        public var capabilities: [String]
        public var tags: [String: String]
        public var clientToken: String
        public init(stackName: String, changeSetName: String, changeSetType: String, templateBody: String?, templateURL: String?,
                    parameters: [String: String], capabilities: [String], tags: [String: String], clientToken: String) {
            self.stackName = stackName
            self.changeSetName = changeSetName
            self.changeSetType = changeSetType
            self.templateBody = templateBody
            self.templateURL = templateURL
            self.parameters = parameters
            self.capabilities = capabilities
            self.tags = tags
            self.clientToken = clientToken
        }
    }

    /// Returns the change set's id and the stack's id.
    public func createChangeSet(_ r: ChangeSetRequest) throws -> (id: String, stackId: String?) {
        var params = [("StackName", r.stackName), ("ChangeSetName", r.changeSetName), ("ChangeSetType", r.changeSetType),
                      ("ClientToken", r.clientToken)]
        if let body = r.templateBody { params.append(("TemplateBody", body)) }
        if let url = r.templateURL { params.append(("TemplateURL", url)) }
        params += Self.parameterMembers(r.parameters)
        for (i, c) in r.capabilities.enumerated() { params.append(("Capabilities.member.\(i + 1)", c)) }
        for (i, (k, v)) in r.tags.sorted(by: { $0.key < $1.key }).enumerated() {
            params += [("Tags.member.\(i + 1).Key", k), ("Tags.member.\(i + 1).Value", v)]
        }
        let xml = try call("CreateChangeSet", params)
        return (xml.find("Id")?.text ?? r.changeSetName, xml.find("StackId")?.text)
    }

    public func describeChangeSet(_ id: String, stackName: String) throws -> ChangeSet {
        var changes: [Change] = []
        var token: String?
        var last: XMLElement?
        repeat {
            var params = [("ChangeSetName", id), ("StackName", stackName)]
            if let token { params.append(("NextToken", token)) }
            let xml = try call("DescribeChangeSet", params)
            last = xml
            for m in xml.find("Changes")?.all("member") ?? [] {
                let rc = m.child("ResourceChange")
                changes.append(Change(action: rc?.value("Action") ?? m.value("Action") ?? "",
                                      logicalId: rc?.value("LogicalResourceId") ?? m.value("LogicalResourceId") ?? "",
                                      type: rc?.value("ResourceType") ?? m.value("ResourceType") ?? "",
                                      replacement: rc?.value("Replacement")))
            }
            token = xml.find("DescribeChangeSetResult")?.child("NextToken")?.text
            if token?.isEmpty == true { token = nil }
        } while token != nil
        let r = last?.find("DescribeChangeSetResult")
        return ChangeSet(id: r?.value("ChangeSetId") ?? id, stackId: r?.value("StackId"), status: r?.value("Status") ?? "",
                         statusReason: r?.value("StatusReason"), executionStatus: r?.value("ExecutionStatus"), changes: changes)
    }

    public func executeChangeSet(_ id: String, stackName: String, clientToken: String) throws {
        _ = try call("ExecuteChangeSet", [("ChangeSetName", id), ("StackName", stackName), ("ClientRequestToken", clientToken)])
    }

    /// The template the stack was last deployed with, as it was sent.
    public func getTemplate(_ stack: String) throws -> String? {
        try call("GetTemplate", [("StackName", stack), ("TemplateStage", "Original")]).find("TemplateBody")?.text
    }

    public func deleteChangeSet(_ id: String, stackName: String) throws {
        _ = try call("DeleteChangeSet", [("ChangeSetName", id), ("StackName", stackName)])
    }

    public func deleteStack(_ name: String, clientToken: String) throws {
        _ = try call("DeleteStack", [("StackName", name), ("ClientRequestToken", clientToken)])
    }

    public func updateTerminationProtection(_ name: String, enabled: Bool) throws {
        _ = try call("UpdateTerminationProtection", [("StackName", name), ("EnableTerminationProtection", enabled ? "true" : "false")])
    }

    /// Stack parameters as the query protocol lists them, sorted by key.
    static func parameterMembers(_ parameters: [String: String]) -> [(String, String)] {
        parameters.sorted { $0.key < $1.key }.enumerated().flatMap { i, p in
            [("Parameters.member.\(i + 1).ParameterKey", p.key), ("Parameters.member.\(i + 1).ParameterValue", p.value)]
        }
    }

    /// CreateStack, for tests and small templates (deploy itself uses change sets).
    public func createStack(_ name: String, templateBody: String, parameters: [String: String] = [:]) throws -> String {
        var params = [("StackName", name), ("TemplateBody", templateBody)]
        params += Self.parameterMembers(parameters)
        return try call("CreateStack", params).find("StackId")?.text ?? ""
    }
}
