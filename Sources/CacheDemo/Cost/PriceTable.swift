/// On-demand list prices in USD, built in so `cost` works offline. Estimates: check the
/// AWS pricing pages (or use --live) before committing to a budget.
public struct PriceTable: Sendable {
    /// When these figures were taken from the AWS price list.
    public static let takenOn = "2025-11-01"

    public struct Region: Sendable {
        public let natGatewayHour: Double
        public let natGatewayGB: Double
        public let publicIPv4Hour: Double
        /// HTTP API, per million requests (first 300 million).
        public let httpApiPerMillion: Double
        public let logsIngestionGB: Double
        /// Cache node prices relative to us-east-1.
        public let cacheFactor: Double
        /// EC2 instance prices (the NAT instance) relative to us-east-1.
        public var ec2Factor: Double = 1
        /// EBS gp3, per GB-month (the NAT instance's root volume).
        public var gp3GBMonth: Double = 0.08
    }

    public static let regions: [String: Region] = [
        "us-east-1": Region(natGatewayHour: 0.045, natGatewayGB: 0.045, publicIPv4Hour: 0.005, httpApiPerMillion: 1.00,
                            logsIngestionGB: 0.50, cacheFactor: 1.00, ec2Factor: 1.0, gp3GBMonth: 0.08),
        "us-west-2": Region(natGatewayHour: 0.045, natGatewayGB: 0.045, publicIPv4Hour: 0.005, httpApiPerMillion: 1.00,
                            logsIngestionGB: 0.50, cacheFactor: 1.00, ec2Factor: 1.0, gp3GBMonth: 0.08),
        "eu-west-1": Region(natGatewayHour: 0.048, natGatewayGB: 0.048, publicIPv4Hour: 0.005, httpApiPerMillion: 1.11,
                            logsIngestionGB: 0.57, cacheFactor: 1.12, ec2Factor: 1.095, gp3GBMonth: 0.088),
        "eu-central-1": Region(natGatewayHour: 0.052, natGatewayGB: 0.052, publicIPv4Hour: 0.005, httpApiPerMillion: 1.20,
                               logsIngestionGB: 0.63, cacheFactor: 1.16, ec2Factor: 1.143, gp3GBMonth: 0.0952),
        "ap-southeast-1": Region(natGatewayHour: 0.059, natGatewayGB: 0.059, publicIPv4Hour: 0.005, httpApiPerMillion: 1.25,
                                 logsIngestionGB: 0.70, cacheFactor: 1.28, ec2Factor: 1.262, gp3GBMonth: 0.096),
        "ap-northeast-1": Region(natGatewayHour: 0.062, natGatewayGB: 0.062, publicIPv4Hour: 0.005, httpApiPerMillion: 1.29,
                                 logsIngestionGB: 0.76, cacheFactor: 1.30, ec2Factor: 1.286, gp3GBMonth: 0.096),
    ]

    /// Redis OSS node-hours in us-east-1; Valkey costs 20% less on node-based clusters.
    public static let redisNodeHour: [String: Double] = [
        "cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065,
        "cache.t3.micro": 0.017, "cache.t3.small": 0.034, "cache.t3.medium": 0.068,
        "cache.m6g.large": 0.149, "cache.m7g.large": 0.158, "cache.r6g.large": 0.206, "cache.r7g.large": 0.219,
    ]
    public static let valkeyDiscount = 0.20

    /// EC2 on-demand Linux instance-hours in us-east-1, for NAT instances.
    public static let instanceHour: [String: Double] = [
        "t4g.nano": 0.0042, "t4g.micro": 0.0084, "t4g.small": 0.0168, "t4g.medium": 0.0336,
        "t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416,
        "c7gn.medium": 0.0624, "c6gn.medium": 0.0432,
    ]
    /// Amazon Linux 2023's root volume: 8 GB of gp3.
    public static let natRootVolumeGB = 8.0

    /// ElastiCache Serverless in us-east-1, per engine: data stored per GB-hour (billed at
    /// least the minimum), and per million ECPUs.
    public struct Serverless: Sendable {
        public let gbHour: Double
        public let minimumGB: Double
        public let perMillionECPU: Double
    }
    public static let serverless: [StackOptions.Engine: Serverless] = [
        .valkey: Serverless(gbHour: 0.084, minimumGB: 0.1, perMillionECPU: 0.0023),
        .redis: Serverless(gbHour: 0.125, minimumGB: 1.0, perMillionECPU: 0.0034),
    ]

    /// Lambda: per million requests, and per GB-second by architecture.
    public static let lambdaPerMillionRequests = 0.20
    public static let lambdaGBSecond: [StackOptions.Architecture: Double] = [.arm64: 0.0000133334, .x86_64: 0.0000166667]

    public static func nodeHour(nodeType: String, engine: StackOptions.Engine, region: Region) -> Double? {
        guard let base = redisNodeHour[nodeType] else { return nil }
        return base * region.cacheFactor * (engine == .valkey ? 1 - valkeyDiscount : 1)
    }
}
