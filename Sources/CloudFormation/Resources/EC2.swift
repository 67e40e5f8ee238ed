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
        /// A /64 from the VPC's IPv6 block: the subnet becomes dual-stack.
        public var ipv6CidrBlock: Value?
        public var tags: [Tag]?
        public init(vpcId: Value, cidrBlock: Value, availabilityZone: Value? = nil, mapPublicIpOnLaunch: Bool? = nil,
                    ipv6CidrBlock: Value? = nil, tags: [Tag]? = nil) {
            self.vpcId = vpcId
            self.cidrBlock = cidrBlock
            self.availabilityZone = availabilityZone
            self.mapPublicIpOnLaunch = mapPublicIpOnLaunch
            self.ipv6CidrBlock = ipv6CidrBlock
            self.tags = tags
        }
    }

    public struct EIP: ResourceProperties {
        public static let type = "AWS::EC2::EIP"
        public var domain: String?
        /// Associates the address with this instance (a NAT instance's stable egress address).
        public var instanceId: Value?
        public var tags: [Tag]?
        public init(domain: String? = "vpc", instanceId: Value? = nil, tags: [Tag]? = nil) {
            self.domain = domain
            self.instanceId = instanceId
            self.tags = tags
        }
    }

    /// An Amazon-provided IPv6 block for a VPC (a VPC gets its IPv6 block only this way).
    public struct VPCCidrBlock: ResourceProperties {
        public static let type = "AWS::EC2::VPCCidrBlock"
        public var vpcId: Value
        public var amazonProvidedIpv6CidrBlock: Bool
        public init(vpcId: Value, amazonProvidedIpv6CidrBlock: Bool = true) {
            self.vpcId = vpcId
            self.amazonProvidedIpv6CidrBlock = amazonProvidedIpv6CidrBlock
        }
    }

    /// IPv6 out, nothing in: outbound-only internet access with no hourly charge.
    public struct EgressOnlyInternetGateway: ResourceProperties {
        public static let type = "AWS::EC2::EgressOnlyInternetGateway"
        public var vpcId: Value
        public var tags: [Tag]?
        public init(vpcId: Value, tags: [Tag]? = nil) {
            self.vpcId = vpcId
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

    /// One route: an IPv4 or IPv6 destination and exactly one target.
    public struct Route: ResourceProperties {
        public static let type = "AWS::EC2::Route"
        public var routeTableId: Value
        public var destinationCidrBlock: Value?
        public var destinationIpv6CidrBlock: Value?
        public var gatewayId: Value?
        public var natGatewayId: Value?
        public var instanceId: Value?
        public var egressOnlyInternetGatewayId: Value?
        public init(routeTableId: Value, destinationCidrBlock: Value? = nil, destinationIpv6CidrBlock: Value? = nil,
                    gatewayId: Value? = nil, natGatewayId: Value? = nil, instanceId: Value? = nil,
                    egressOnlyInternetGatewayId: Value? = nil) {
            self.routeTableId = routeTableId
            self.destinationCidrBlock = destinationCidrBlock
            self.destinationIpv6CidrBlock = destinationIpv6CidrBlock
            self.gatewayId = gatewayId
            self.natGatewayId = natGatewayId
            self.instanceId = instanceId
            self.egressOnlyInternetGatewayId = egressOnlyInternetGatewayId
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
        public var cidrIpv6: Value?
        public var sourceSecurityGroupId: Value?
        public var destinationSecurityGroupId: Value?
        public var description: String?
        public init(ipProtocol: String = "tcp", port: Int?, cidrIp: Value? = nil, cidrIpv6: Value? = nil,
                    sourceSecurityGroupId: Value? = nil, destinationSecurityGroupId: Value? = nil,
                    description: String? = nil) {
            self.ipProtocol = ipProtocol
            self.fromPort = port
            self.toPort = port
            self.cidrIp = cidrIp
            self.cidrIpv6 = cidrIpv6
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

extension EC2 {
    /// An EC2 instance (the NAT instance). Only what a small appliance needs.
    public struct Instance: ResourceProperties {
        public static let type = "AWS::EC2::Instance"
        public var imageId: Value
        public var instanceType: String
        public var networkInterfaces: [NetworkInterface]
        public var sourceDestCheck: Bool?
        public var metadataOptions: MetadataOptions?
        public var blockDeviceMappings: [BlockDeviceMapping]?
        public var userData: Value?
        public var tags: [Tag]?
        public init(imageId: Value, instanceType: String, networkInterfaces: [NetworkInterface], sourceDestCheck: Bool? = nil,
                    metadataOptions: MetadataOptions? = nil, blockDeviceMappings: [BlockDeviceMapping]? = nil,
                    userData: Value? = nil, tags: [Tag]? = nil) {
            self.imageId = imageId
            self.instanceType = instanceType
            self.networkInterfaces = networkInterfaces
            self.sourceDestCheck = sourceDestCheck
            self.metadataOptions = metadataOptions
            self.blockDeviceMappings = blockDeviceMappings
            self.userData = userData
            self.tags = tags
        }

        public struct NetworkInterface: Encodable, Sendable {
            public var deviceIndex: String
            public var subnetId: Value
            public var groupSet: [Value]
            public var associatePublicIpAddress: Bool?
            public var deleteOnTermination: Bool?
            public init(deviceIndex: String = "0", subnetId: Value, groupSet: [Value], associatePublicIpAddress: Bool? = nil,
                        deleteOnTermination: Bool? = true) {
                self.deviceIndex = deviceIndex
                self.subnetId = subnetId
                self.groupSet = groupSet
                self.associatePublicIpAddress = associatePublicIpAddress
                self.deleteOnTermination = deleteOnTermination
            }
        }

        /// The instance metadata service: `httpTokens: "required"` is IMDSv2 only.
        public struct MetadataOptions: Encodable, Sendable {
            public var httpTokens: String
            public var httpEndpoint: String
            public var httpPutResponseHopLimit: Int
            public init(httpTokens: String = "required", httpEndpoint: String = "enabled", httpPutResponseHopLimit: Int = 1) {
                self.httpTokens = httpTokens
                self.httpEndpoint = httpEndpoint
                self.httpPutResponseHopLimit = httpPutResponseHopLimit
            }
        }

        public struct BlockDeviceMapping: Encodable, Sendable {
            public var deviceName: String
            public var ebs: Ebs
            public init(deviceName: String, ebs: Ebs) {
                self.deviceName = deviceName
                self.ebs = ebs
            }
        }

        public struct Ebs: Encodable, Sendable {
            public var encrypted: Bool
            public var volumeType: String
            public var volumeSize: Int?
            public var deleteOnTermination: Bool
            public init(encrypted: Bool = true, volumeType: String = "gp3", volumeSize: Int? = nil, deleteOnTermination: Bool = true) {
                self.encrypted = encrypted
                self.volumeType = volumeType
                self.volumeSize = volumeSize
                self.deleteOnTermination = deleteOnTermination
            }
        }
    }
}
