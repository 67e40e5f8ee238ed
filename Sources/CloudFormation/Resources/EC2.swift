/// Typed properties for the EC2 networking resources. Property names follow
/// CloudFormation's, in camelCase; the renderer writes them in PascalCase.
public enum EC2 {
    public struct VPC: ResourceProperties {
        public static let type = "AWS::EC2::VPC"
        public var cidrBlock: Value
        public var enableDnsSupport: Bool?
        public var enableDnsHostnames: Bool?
        public var tags: [Tag]?
        public init(cidrBlock: Value, enableDnsSupport: Bool? = nil, enableDnsHostnames: Bool? = nil, tags: [Tag]? = nil) {
            self.cidrBlock = cidrBlock
            self.enableDnsSupport = enableDnsSupport
            self.enableDnsHostnames = enableDnsHostnames
            self.tags = tags
        }
    }

    public struct InternetGateway: ResourceProperties {
        public static let type = "AWS::EC2::InternetGateway"
        public var tags: [Tag]?
        public init(tags: [Tag]? = nil) { self.tags = tags }
    }

    public struct VPCGatewayAttachment: ResourceProperties {
        public static let type = "AWS::EC2::VPCGatewayAttachment"
        public var vpcId: Value
        public var internetGatewayId: Value
        public init(vpcId: Value, internetGatewayId: Value) {
            self.vpcId = vpcId
            self.internetGatewayId = internetGatewayId
        }
    }

    public struct Subnet: ResourceProperties {
        public static let type = "AWS::EC2::Subnet"
        public var vpcId: Value
        public var cidrBlock: Value
        public var availabilityZone: Value?
        public var mapPublicIpOnLaunch: Bool?
        public var tags: [Tag]?
        public init(vpcId: Value, cidrBlock: Value, availabilityZone: Value? = nil, mapPublicIpOnLaunch: Bool? = nil,
                    tags: [Tag]? = nil) {
            self.vpcId = vpcId
            self.cidrBlock = cidrBlock
            self.availabilityZone = availabilityZone
            self.mapPublicIpOnLaunch = mapPublicIpOnLaunch
            self.tags = tags
        }
    }

    public struct EIP: ResourceProperties {
        public static let type = "AWS::EC2::EIP"
        public var domain: String?
        public var tags: [Tag]?
        public init(domain: String? = "vpc", tags: [Tag]? = nil) {
            self.domain = domain
            self.tags = tags
        }
    }

    public struct NatGateway: ResourceProperties {
        public static let type = "AWS::EC2::NatGateway"
        public var allocationId: Value
        public var subnetId: Value
        public var tags: [Tag]?
        public init(allocationId: Value, subnetId: Value, tags: [Tag]? = nil) {
            self.allocationId = allocationId
            self.subnetId = subnetId
            self.tags = tags
        }
    }

    public struct RouteTable: ResourceProperties {
        public static let type = "AWS::EC2::RouteTable"
        public var vpcId: Value
        public var tags: [Tag]?
        public init(vpcId: Value, tags: [Tag]? = nil) {
            self.vpcId = vpcId
            self.tags = tags
        }
    }

    public struct Route: ResourceProperties {
        public static let type = "AWS::EC2::Route"
        public var routeTableId: Value
        public var destinationCidrBlock: Value
        public var gatewayId: Value?
        public var natGatewayId: Value?
        public init(routeTableId: Value, destinationCidrBlock: Value, gatewayId: Value? = nil, natGatewayId: Value? = nil) {
            self.routeTableId = routeTableId
            self.destinationCidrBlock = destinationCidrBlock
            self.gatewayId = gatewayId
            self.natGatewayId = natGatewayId
        }
    }

    public struct SubnetRouteTableAssociation: ResourceProperties {
        public static let type = "AWS::EC2::SubnetRouteTableAssociation"
        public var subnetId: Value
        public var routeTableId: Value
        public init(subnetId: Value, routeTableId: Value) {
            self.subnetId = subnetId
            self.routeTableId = routeTableId
        }
    }

    /// One rule of a security group, inline or as its own resource.
    public struct Rule: Encodable, Sendable, Equatable {
        public var ipProtocol: String
        public var fromPort: Int?
        public var toPort: Int?
        public var cidrIp: Value?
        public var sourceSecurityGroupId: Value?
        public var destinationSecurityGroupId: Value?
        public var description: String?
        public init(ipProtocol: String = "tcp", port: Int?, cidrIp: Value? = nil, sourceSecurityGroupId: Value? = nil,
                    destinationSecurityGroupId: Value? = nil, description: String? = nil) {
            self.ipProtocol = ipProtocol
            self.fromPort = port
            self.toPort = port
            self.cidrIp = cidrIp
            self.sourceSecurityGroupId = sourceSecurityGroupId
            self.destinationSecurityGroupId = destinationSecurityGroupId
            self.description = description
        }
    }

    public struct SecurityGroup: ResourceProperties {
        public static let type = "AWS::EC2::SecurityGroup"
        public var groupDescription: String
        public var vpcId: Value
        public var securityGroupIngress: [Rule]?
        public var securityGroupEgress: [Rule]?
        public var tags: [Tag]?
        public init(groupDescription: String, vpcId: Value, securityGroupIngress: [Rule]? = nil,
                    securityGroupEgress: [Rule]? = nil, tags: [Tag]? = nil) {
            self.groupDescription = groupDescription
            self.vpcId = vpcId
            self.securityGroupIngress = securityGroupIngress
            self.securityGroupEgress = securityGroupEgress
            self.tags = tags
        }
    }

    /// A rule as its own resource: lets two groups refer to each other without a cycle.
    public struct SecurityGroupIngress: ResourceProperties {
        public static let type = "AWS::EC2::SecurityGroupIngress"
        public var groupId: Value
        public var ipProtocol: String
        public var fromPort: Int
        public var toPort: Int
        public var sourceSecurityGroupId: Value
        public var description: String?
        public init(groupId: Value, port: Int, sourceSecurityGroupId: Value, description: String? = nil) {
            self.groupId = groupId
            self.ipProtocol = "tcp"
            self.fromPort = port
            self.toPort = port
            self.sourceSecurityGroupId = sourceSecurityGroupId
            self.description = description
        }
    }

    public struct SecurityGroupEgress: ResourceProperties {
        public static let type = "AWS::EC2::SecurityGroupEgress"
        public var groupId: Value
        public var ipProtocol: String
        public var fromPort: Int
        public var toPort: Int
        public var destinationSecurityGroupId: Value
        public var description: String?
        public init(groupId: Value, port: Int, destinationSecurityGroupId: Value, description: String? = nil) {
            self.groupId = groupId
            self.ipProtocol = "tcp"
            self.fromPort = port
            self.toPort = port
            self.destinationSecurityGroupId = destinationSecurityGroupId
            self.description = description
        }
    }
}
