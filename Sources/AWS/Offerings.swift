import Foundation

/// What a region and its zones sell, asked before anything is uploaded: not every instance
/// type is offered in every Availability Zone (EC2 says so per zone), and not every cache
/// node type in every region (ElastiCache has no per-zone list; its reserved-node offerings
/// list the node types a region sells).
public struct Offerings: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    /// The zones `Fn::GetAZs ''` returns, in its order: the region's available zones,
    /// alphabetically, only those with a default subnet when any zone has one.
    public func stackZones() throws -> [String] {
        let zones = try client.query(.ec2, action: "DescribeAvailabilityZones", version: BillableQueries.ec2Version,
                                     parameters: [("Filter.1.Name", "state"), ("Filter.1.Value.1", "available"),
                                                  ("Filter.2.Name", "zone-type"), ("Filter.2.Value.1", "availability-zone")])
        let all = (zones.find("availabilityZoneInfo")?.all("item") ?? []).compactMap { $0.value("zoneName") }.sorted()
        let defaults = try client.query(.ec2, action: "DescribeSubnets", version: BillableQueries.ec2Version,
                                        parameters: [("Filter.1.Name", "default-for-az"), ("Filter.1.Value.1", "true")])
        let withDefault = Set((defaults.find("subnetSet")?.all("item") ?? []).compactMap { $0.value("availabilityZone") })
        let chosen = all.filter(withDefault.contains)
        return chosen.isEmpty ? all : chosen
    }

    /// Which of `types` EC2 offers in each of `zones` (zone → types offered there).
    public func instanceTypes(_ types: [String], in zones: [String]) throws -> [String: Set<String>] {
        var params: [(String, String)] = [("LocationType", "availability-zone"), ("Filter.1.Name", "instance-type")]
        for (i, t) in types.enumerated() { params.append(("Filter.1.Value.\(i + 1)", t)) }
        params.append(("Filter.2.Name", "location"))
        for (i, z) in zones.enumerated() { params.append(("Filter.2.Value.\(i + 1)", z)) }
        var offered: [String: Set<String>] = [:]
        var token: String?
        repeat {
            let xml = try client.query(.ec2, action: "DescribeInstanceTypeOfferings", version: BillableQueries.ec2Version,
                                       parameters: params + (token.map { [("NextToken", $0)] } ?? []))
            for item in xml.find("instanceTypeOfferingSet")?.all("item") ?? [] {
                if let zone = item.value("location"), let type = item.value("instanceType") { offered[zone, default: []].insert(type) }
            }
            token = xml.find("nextToken").map(\.text).flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return offered
    }

    /// Whether the region sells the cache node type (one reserved-node offering is enough).
    public func sellsCacheNodeType(_ type: String) throws -> Bool {
        let xml = try client.query(.elasticache, action: "DescribeReservedCacheNodesOfferings", version: "2015-02-02",
                                   parameters: [("CacheNodeType", type), ("MaxRecords", "20")])
        return !(xml.find("ReservedCacheNodesOfferings")?.all("ReservedCacheNodesOffering") ?? []).isEmpty
    }
}
