public enum ElastiCache {
    public struct SubnetGroup: ResourceProperties {
        public static let type = "AWS::ElastiCache::SubnetGroup"
        public var description: String
        public var subnetIds: [Value]
        public var tags: [Tag]?
        public init(description: String, subnetIds: [Value], tags: [Tag]? = nil) {
            self.description = description
            self.subnetIds = subnetIds
            self.tags = tags
        }
    }

    public struct LogDelivery: Encodable, Sendable {
        public struct Destination: Encodable, Sendable {
            public struct CloudWatchLogs: Encodable, Sendable { public var logGroup: Value }
            public var cloudWatchLogsDetails: CloudWatchLogs
        }
        public var destinationType = "cloudwatch-logs"
        public var destinationDetails: Destination
        public var logFormat: String
        public var logType: String
        /// Delivery of one log type (`slow-log`, `engine-log`) to a CloudWatch log group.
        public init(logType: String, logGroup: Value, logFormat: String = "json") {
            self.destinationDetails = Destination(cloudWatchLogsDetails: .init(logGroup: logGroup))
            self.logFormat = logFormat
            self.logType = logType
        }
    }

    public struct ReplicationGroup: ResourceProperties {
        public static let type = "AWS::ElastiCache::ReplicationGroup"
        public var replicationGroupDescription: String
        public var engine: String
        public var engineVersion: String?
        public var cacheNodeType: String
        public var numCacheClusters: Int
        public var port: Int
        public var multiAZEnabled: Bool
        public var automaticFailoverEnabled: Bool
        public var transitEncryptionEnabled: Bool
        public var atRestEncryptionEnabled: Bool
        public var authToken: Value?
        public var userGroupIds: [Value]?
        public var cacheSubnetGroupName: Value
        public var securityGroupIds: [Value]
        public var preferredMaintenanceWindow: String?
        public var snapshotRetentionLimit: Int?
        public var logDeliveryConfigurations: [LogDelivery]?
        public var tags: [Tag]?
        public init(replicationGroupDescription: String, engine: String, engineVersion: String?, cacheNodeType: String,
                    numCacheClusters: Int, port: Int, multiAZEnabled: Bool, automaticFailoverEnabled: Bool,
                    transitEncryptionEnabled: Bool, atRestEncryptionEnabled: Bool, authToken: Value?,
                    cacheSubnetGroupName: Value, securityGroupIds: [Value], preferredMaintenanceWindow: String?,
                    snapshotRetentionLimit: Int? = nil, logDeliveryConfigurations: [LogDelivery]?, tags: [Tag]?,
                    userGroupIds: [Value]? = nil) {
            self.userGroupIds = userGroupIds
            self.replicationGroupDescription = replicationGroupDescription
            self.engine = engine
            self.engineVersion = engineVersion
            self.cacheNodeType = cacheNodeType
            self.numCacheClusters = numCacheClusters
            self.port = port
            self.multiAZEnabled = multiAZEnabled
            self.automaticFailoverEnabled = automaticFailoverEnabled
            self.transitEncryptionEnabled = transitEncryptionEnabled
            self.atRestEncryptionEnabled = atRestEncryptionEnabled
            self.authToken = authToken
            self.cacheSubnetGroupName = cacheSubnetGroupName
            self.securityGroupIds = securityGroupIds
            self.preferredMaintenanceWindow = preferredMaintenanceWindow
            self.snapshotRetentionLimit = snapshotRetentionLimit
            self.logDeliveryConfigurations = logDeliveryConfigurations
            self.tags = tags
        }
    }
}

extension ElastiCache {
    /// An RBAC user: a password user, an IAM user (no password: a token from its role), or
    /// a disabled one (the `default` a user group must hold).
    public struct User: ResourceProperties {
        public static let type = "AWS::ElastiCache::User"
        public struct AuthenticationMode: Encodable, Sendable {
            public var type: String  // iam, password, no-password-required
            public init(type: String) { self.type = type }
        }
        public var userId: Value
        public var userName: Value
        public var engine: String
        public var accessString: String
        public var authenticationMode: AuthenticationMode?
        public var noPasswordRequired: Bool?
        public var tags: [Tag]?
        public init(userId: Value, userName: Value, engine: String, accessString: String,
                    authenticationMode: AuthenticationMode? = nil, noPasswordRequired: Bool? = nil, tags: [Tag]? = nil) {
            self.userId = userId
            self.userName = userName
            self.engine = engine
            self.accessString = accessString
            self.authenticationMode = authenticationMode
            self.noPasswordRequired = noPasswordRequired
            self.tags = tags
        }
    }

    public struct UserGroup: ResourceProperties {
        public static let type = "AWS::ElastiCache::UserGroup"
        public var userGroupId: Value
        public var engine: String
        public var userIds: [Value]
        public var tags: [Tag]?
        public init(userGroupId: Value, engine: String, userIds: [Value], tags: [Tag]? = nil) {
            self.userGroupId = userGroupId
            self.engine = engine
            self.userIds = userIds
            self.tags = tags
        }
    }
}

public enum SecretsManager {
    public struct GenerateSecretString: Encodable, Sendable {
        public var passwordLength: Int
        public var excludePunctuation: Bool?
        public var excludeCharacters: String?
        public init(passwordLength: Int, excludePunctuation: Bool? = nil, excludeCharacters: String? = nil) {
            self.passwordLength = passwordLength
            self.excludePunctuation = excludePunctuation
            self.excludeCharacters = excludeCharacters
        }
    }

    public struct Secret: ResourceProperties {
        public static let type = "AWS::SecretsManager::Secret"
        public var description: String
        public var generateSecretString: GenerateSecretString
        public var tags: [Tag]?
        public init(description: String, generateSecretString: GenerateSecretString, tags: [Tag]? = nil) {
            self.description = description
            self.generateSecretString = generateSecretString
            self.tags = tags
        }
    }
}

public enum Logs {
    public struct LogGroup: ResourceProperties {
        public static let type = "AWS::Logs::LogGroup"
        public var logGroupName: Value?
        public var retentionInDays: Int?
        public var tags: [Tag]?
        public init(logGroupName: Value? = nil, retentionInDays: Int?, tags: [Tag]? = nil) {
            self.logGroupName = logGroupName
            self.retentionInDays = retentionInDays
            self.tags = tags
        }
    }
}

public enum IAM {
    public struct Role: ResourceProperties {
        public static let type = "AWS::IAM::Role"
        public struct Policy: Encodable, Sendable {
            public var policyName: String
            public var policyDocument: Value
            public init(policyName: String, policyDocument: Value) {
                self.policyName = policyName
                self.policyDocument = policyDocument
            }
        }
        public var assumeRolePolicyDocument: Value
        public var managedPolicyArns: [Value]?
        public var policies: [Policy]?
        public var tags: [Tag]?
        public init(assumeRolePolicyDocument: Value, managedPolicyArns: [Value]? = nil, policies: [Policy]? = nil,
                    tags: [Tag]? = nil) {
            self.assumeRolePolicyDocument = assumeRolePolicyDocument
            self.managedPolicyArns = managedPolicyArns
            self.policies = policies
            self.tags = tags
        }

        /// The trust policy that lets one AWS service assume the role.
        public static func trustPolicy(service: String) -> Value {
            [
                "Version": "2012-10-17",
                "Statement": [[
                    "Effect": "Allow",
                    "Principal": ["Service": .string(service)],
                    "Action": "sts:AssumeRole",
                ]],
            ]
        }
    }
}
