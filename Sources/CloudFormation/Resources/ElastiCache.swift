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
        /// One shard: its nodes (primary + replicas). Not with cluster mode.
        public var numCacheClusters: Int?
        /// Cluster mode enabled: the shards and each one's replicas.
        public var numNodeGroups: Int?
        public var replicasPerNodeGroup: Int?
        /// A `*.cluster.on` group is what turns cluster mode on.
        public var cacheParameterGroupName: String?
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
                    numCacheClusters: Int?, numNodeGroups: Int? = nil, replicasPerNodeGroup: Int? = nil,
                    cacheParameterGroupName: String? = nil, port: Int, multiAZEnabled: Bool, automaticFailoverEnabled: Bool,
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
            self.numNodeGroups = numNodeGroups
            self.replicasPerNodeGroup = replicasPerNodeGroup
            self.cacheParameterGroupName = cacheParameterGroupName
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
            public var passwords: [Value]?
            public init(type: String, passwords: [Value]? = nil) {
                self.type = type
                self.passwords = passwords
            }
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

extension ElastiCache {
    /// ElastiCache Serverless: no nodes to size; it scales within its usage limits, always
    /// encrypted in transit and at rest, reached by RBAC users of its user group.
    public struct ServerlessCache: ResourceProperties {
        public static let type = "AWS::ElastiCache::ServerlessCache"
        public struct Limits: Encodable, Sendable {
            public struct DataStorage: Encodable, Sendable {
                public var maximum: Int
                public var unit = "GB"
            }
            public struct ECPUPerSecond: Encodable, Sendable { public var maximum: Int }
            public var dataStorage: DataStorage?
            public var eCPUPerSecond: ECPUPerSecond?
            public init(maxDataGB: Int?, maxECPUPerSecond: Int?) {
                dataStorage = maxDataGB.map { DataStorage(maximum: $0) }
                eCPUPerSecond = maxECPUPerSecond.map { ECPUPerSecond(maximum: $0) }
            }
            enum CodingKeys: String, CodingKey { case dataStorage, eCPUPerSecond = "ECPUPerSecond" }
        }
        public var serverlessCacheName: Value
        public var description: String?
        public var engine: String
        public var majorEngineVersion: String?
        public var cacheUsageLimits: Limits?
        public var securityGroupIds: [Value]
        public var subnetIds: [Value]
        public var userGroupId: Value?
        public var tags: [Tag]?
        public init(serverlessCacheName: Value, description: String?, engine: String, majorEngineVersion: String?,
                    cacheUsageLimits: Limits?, securityGroupIds: [Value], subnetIds: [Value], userGroupId: Value?, tags: [Tag]?) {
            self.serverlessCacheName = serverlessCacheName
            self.description = description
            self.engine = engine
            self.majorEngineVersion = majorEngineVersion
            self.cacheUsageLimits = cacheUsageLimits
            self.securityGroupIds = securityGroupIds
            self.subnetIds = subnetIds
            self.userGroupId = userGroupId
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
