/// A CloudFormation template: the generic model, with no knowledge of any one stack.
public struct Template: Sendable {
    public var formatVersion = "2010-09-09"
    public var description: String?
    public var parameters: [String: Parameter] = [:]
    public var conditions: [String: Value] = [:]
    public var resources: [Resource] = []
    public var outputs: [String: Output] = [:]

    public init(description: String? = nil) { self.description = description }

    public mutating func add(_ resource: Resource) { resources.append(resource) }

    /// Adds a resource and returns its logical id, so later resources can refer to it.
    @discardableResult
    public mutating func add<P: ResourceProperties>(_ logicalId: String, _ properties: P,
                                                    dependsOn: [String] = [], condition: String? = nil,
                                                    deletionPolicy: DeletionPolicy? = nil,
                                                    updateReplacePolicy: DeletionPolicy? = nil,
                                                    updatePolicy: UpdatePolicy? = nil) -> String {
        var resource = Resource(logicalId, properties, dependsOn: dependsOn, condition: condition,
                                deletionPolicy: deletionPolicy, updateReplacePolicy: updateReplacePolicy)
        resource.updatePolicy = updatePolicy
        add(resource)
        return logicalId
    }

    public func resources(ofType type: String) -> [Resource] { resources.filter { $0.type == type } }
    public func resource(_ logicalId: String) -> Resource? { resources.first { $0.logicalId == logicalId } }
}

public struct Parameter: Sendable, Encodable {
    public enum Kind: String, Sendable, Encodable {
        case string = "String", number = "Number"
        /// CloudFormation checks the AMI exists before it starts.
        case ec2ImageId = "AWS::EC2::Image::Id"
    }
    public var type: Kind
    public var description: String
    public var defaultValue: Value?
    public var allowedValues: [Value]?
    public var allowedPattern: String?
    public var constraintDescription: String?

    public init(_ type: Kind = .string, description: String, default defaultValue: Value? = nil,
                allowedValues: [Value]? = nil, allowedPattern: String? = nil, constraintDescription: String? = nil) {
        self.type = type
        self.description = description
        self.defaultValue = defaultValue
        self.allowedValues = allowedValues
        self.allowedPattern = allowedPattern
        self.constraintDescription = constraintDescription
    }

    enum CodingKeys: String, CodingKey {
        case type, description, defaultValue = "default", allowedValues, allowedPattern, constraintDescription
    }
}

public struct Output: Sendable, Encodable {
    public var value: Value
    public var description: String
    public var export: Export?

    public struct Export: Sendable, Encodable {
        public var name: Value
    }

    public init(_ value: Value, description: String, exportName: Value? = nil) {
        self.value = value
        self.description = description
        self.export = exportName.map { Export(name: $0) }
    }
}

public enum DeletionPolicy: String, Sendable, Encodable {
    case delete = "Delete", retain = "Retain", snapshot = "Snapshot", retainExceptOnCreate = "RetainExceptOnCreate"
}

/// How CloudFormation updates a resource; only what this stack uses.
public struct UpdatePolicy: Sendable, Encodable {
    /// A replication group's shard count changes in place (online resharding) instead of
    /// replacing the cluster.
    public var useOnlineResharding: Bool?
    public init(useOnlineResharding: Bool? = nil) { self.useOnlineResharding = useOnlineResharding }
    enum CodingKeys: String, CodingKey { case useOnlineResharding = "UseOnlineResharding" }
}

/// The typed properties of one resource type; its `type` is the CloudFormation type name.
public protocol ResourceProperties: Encodable, Sendable {
    static var type: String { get }
}

public struct Resource: Sendable {
    public let logicalId: String
    public let properties: any ResourceProperties
    public var dependsOn: [String]
    public var condition: String?
    public var deletionPolicy: DeletionPolicy?
    public var updateReplacePolicy: DeletionPolicy?
    public var updatePolicy: UpdatePolicy?

    public var type: String { Swift.type(of: properties).type }

    public init<P: ResourceProperties>(_ logicalId: String, _ properties: P, dependsOn: [String] = [],
                                       condition: String? = nil, deletionPolicy: DeletionPolicy? = nil,
                                       updateReplacePolicy: DeletionPolicy? = nil) {
        self.logicalId = logicalId
        self.properties = properties
        self.dependsOn = dependsOn
        self.condition = condition
        self.deletionPolicy = deletionPolicy
        self.updateReplacePolicy = updateReplacePolicy
    }

    /// The typed properties, when they are of the type asked for.
    public func properties<P: ResourceProperties>(as: P.Type) -> P? { properties as? P }
}

/// `{Key, Value}` tags, the form most resource types take.
public struct Tag: Sendable, Encodable, Equatable {
    public var key: String
    public var value: Value
    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }
}
