import AWS
import Foundation

/// `cost --live`: the cache node and NAT gateway hourly prices from the Price List API,
/// the two figures that dominate the bill.
public struct LivePrices: Sendable {
    let pricing: Pricing

    public init(client: AWSClient) { pricing = Pricing(client: client) }

    public struct Figures: Sendable {
        public let nodeHour: Double
        public let natGatewayHour: Double
    }

    public func fetch(region: String, nodeType: String, engine: StackOptions.Engine) throws -> Figures {
        let node = try pricing.onDemandPrices(serviceCode: "AmazonElastiCache", filters: [
            "regionCode": region, "instanceType": nodeType, "cacheEngine": engine == .valkey ? "Valkey" : "Redis",
        ]).first { $0.unit.lowercased().hasPrefix("hr") }
        let nat = try pricing.onDemandPrices(serviceCode: "AmazonEC2", filters: [
            "regionCode": region, "productFamily": "NAT Gateway", "group": "NGW:NatGateway",
        ]).first { $0.unit.lowercased().hasPrefix("hr") }
        guard let node, let nat else {
            throw CostError("the price list has no hourly price for \(nodeType) or NAT gateways in \(region)")
        }
        return Figures(nodeHour: node.usd, natGatewayHour: nat.usd)
    }
}
