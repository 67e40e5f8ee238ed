import Foundation

/// The AWS Price List Query API (JSON protocol; its endpoint is in us-east-1).
public struct Pricing: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    /// On-demand USD prices per unit of the products matching `filters` (TERM_MATCH).
    public func onDemandPrices(serviceCode: String, filters: [String: String]) throws -> [(unit: String, usd: Double)] {
        let body: [String: Any] = [
            "ServiceCode": serviceCode, "FormatVersion": "aws_v1", "MaxResults": 20,
            "Filters": filters.sorted { $0.key < $1.key }.map { ["Type": "TERM_MATCH", "Field": $0.key, "Value": $0.value] },
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let response = try client.send(.pricing, method: "POST", headers: [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AWSPriceListService.GetProducts"),
        ], body: .data(data))
        guard let doc = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let list = doc["PriceList"] as? [Any]
        else { throw AWSError(service: "pricing", code: "MalformedResponse", message: "no PriceList", requestId: nil, status: 200) }
        var prices: [(String, Double)] = []
        for item in list {
            let product: [String: Any]?
            if let s = item as? String { product = try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any] }
            else { product = item as? [String: Any] }
            let onDemand = (product?["terms"] as? [String: Any])?["OnDemand"] as? [String: Any] ?? [:]
            for term in onDemand.values {
                for dim in ((term as? [String: Any])?["priceDimensions"] as? [String: Any] ?? [:]).values {
                    guard let d = dim as? [String: Any], let usd = (d["pricePerUnit"] as? [String: String])?["USD"],
                          let value = Double(usd), value > 0 else { continue }
                    prices.append((d["unit"] as? String ?? "", value))
                }
            }
        }
        return prices
    }
}
