public enum Lambda {
    public struct Code: Encodable, Sendable {
        public var s3Bucket: Value
        public var s3Key: Value
        public init(s3Bucket: Value, s3Key: Value) {
            self.s3Bucket = s3Bucket
            self.s3Key = s3Key
        }
    }

    public struct VpcConfig: Encodable, Sendable {
        public var securityGroupIds: [Value]
        public var subnetIds: [Value]
        /// Outbound IPv6 from dual-stack subnets (the function's network interfaces get IPv6 addresses).
        public var ipv6AllowedForDualStack: Bool?
        public init(securityGroupIds: [Value], subnetIds: [Value], ipv6AllowedForDualStack: Bool? = nil) {
            self.securityGroupIds = securityGroupIds
            self.subnetIds = subnetIds
            self.ipv6AllowedForDualStack = ipv6AllowedForDualStack
        }
    }

    public struct Environment: Encodable, Sendable {
        /// A map: names are written exactly as given.
        public var variables: Value
        public init(_ variables: [String: Value]) { self.variables = .map(variables) }
    }

    public struct LoggingConfig: Encodable, Sendable {
        public var logGroup: Value
        public var logFormat: String?
        public init(logGroup: Value, logFormat: String? = nil) {
            self.logGroup = logGroup
            self.logFormat = logFormat
        }
    }

    public struct Function: ResourceProperties {
        public static let type = "AWS::Lambda::Function"
        public var description: String?
        public var code: Code
        public var handler: String
        public var runtime: String
        public var architectures: [String]
        public var memorySize: Int
        public var timeout: Int
        public var role: Value
        public var vpcConfig: VpcConfig?
        public var environment: Environment?
        public var loggingConfig: LoggingConfig?
        public var tags: [Tag]?
        public init(description: String? = nil, code: Code, handler: String, runtime: String, architectures: [String],
                    memorySize: Int, timeout: Int, role: Value, vpcConfig: VpcConfig?, environment: Environment?,
                    loggingConfig: LoggingConfig?, tags: [Tag]?) {
            self.description = description
            self.code = code
            self.handler = handler
            self.runtime = runtime
            self.architectures = architectures
            self.memorySize = memorySize
            self.timeout = timeout
            self.role = role
            self.vpcConfig = vpcConfig
            self.environment = environment
            self.loggingConfig = loggingConfig
            self.tags = tags
        }
    }

    public struct Permission: ResourceProperties {
        public static let type = "AWS::Lambda::Permission"
        public var action: String
        public var functionName: Value
        public var principal: String
        public var sourceArn: Value?
        public init(action: String = "lambda:InvokeFunction", functionName: Value, principal: String, sourceArn: Value?) {
            self.action = action
            self.functionName = functionName
            self.principal = principal
            self.sourceArn = sourceArn
        }
    }
}

public enum ApiGatewayV2 {
    public struct Api: ResourceProperties {
        public static let type = "AWS::ApiGatewayV2::Api"
        public var name: Value
        public var protocolType: String
        public var description: String?
        /// A map of tag names to values: this type takes tags as a map, not a list.
        public var tags: Value?
        public init(name: Value, protocolType: String = "HTTP", description: String? = nil, tags: [String: Value]? = nil) {
            self.name = name
            self.protocolType = protocolType
            self.description = description
            self.tags = tags.map { .map($0) }
        }
    }

    public struct Integration: ResourceProperties {
        public static let type = "AWS::ApiGatewayV2::Integration"
        public var apiId: Value
        public var integrationType: String
        public var integrationUri: Value
        public var payloadFormatVersion: String
        public var timeoutInMillis: Int?
        public init(apiId: Value, integrationType: String = "AWS_PROXY", integrationUri: Value,
                    payloadFormatVersion: String = "2.0", timeoutInMillis: Int? = nil) {
            self.apiId = apiId
            self.integrationType = integrationType
            self.integrationUri = integrationUri
            self.payloadFormatVersion = payloadFormatVersion
            self.timeoutInMillis = timeoutInMillis
        }
    }

    public struct Route: ResourceProperties {
        public static let type = "AWS::ApiGatewayV2::Route"
        public var apiId: Value
        public var routeKey: String
        public var target: Value
        public var authorizationType: String?
        public init(apiId: Value, routeKey: String, target: Value, authorizationType: String? = nil) {
            self.apiId = apiId
            self.routeKey = routeKey
            self.target = target
            self.authorizationType = authorizationType
        }
    }

    public struct RouteSettings: Encodable, Sendable {
        public var throttlingBurstLimit: Int?
        public var throttlingRateLimit: Double?
        public var detailedMetricsEnabled: Bool?
        public init(throttlingBurstLimit: Int?, throttlingRateLimit: Double?, detailedMetricsEnabled: Bool? = nil) {
            self.throttlingBurstLimit = throttlingBurstLimit
            self.throttlingRateLimit = throttlingRateLimit
            self.detailedMetricsEnabled = detailedMetricsEnabled
        }
    }

    public struct AccessLogSettings: Encodable, Sendable {
        public var destinationArn: Value
        public var format: String
        public init(destinationArn: Value, format: String) {
            self.destinationArn = destinationArn
            self.format = format
        }
    }

    public struct Stage: ResourceProperties {
        public static let type = "AWS::ApiGatewayV2::Stage"
        public var apiId: Value
        public var stageName: String
        public var autoDeploy: Bool
        public var defaultRouteSettings: RouteSettings?
        public var accessLogSettings: AccessLogSettings?
        public var tags: Value?
        public init(apiId: Value, stageName: String = "$default", autoDeploy: Bool = true,
                    defaultRouteSettings: RouteSettings?, accessLogSettings: AccessLogSettings?,
                    tags: [String: Value]? = nil) {
            self.apiId = apiId
            self.stageName = stageName
            self.autoDeploy = autoDeploy
            self.defaultRouteSettings = defaultRouteSettings
            self.accessLogSettings = accessLogSettings
            self.tags = tags.map { .map($0) }
        }
    }
}
