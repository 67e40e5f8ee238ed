import Foundation

/// The describe calls that tell whether a stack's billable parts are really gone:
/// NAT gateways, Elastic IPs, cache clusters, functions, HTTP APIs, VPCs.
public struct BillableQueries: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    static let ec2Version = "2016-11-15"

    /// NAT gateways not yet deleted, by id, or carrying `tagKey=tagValue`. The tags are
    /// checked here rather than with a server-side filter, which not every endpoint applies.
    public func liveNatGateways(ids: [String], tagKey: String, tagValue: String) throws -> [String] {
        let xml = try client.query(.ec2, action: "DescribeNatGateways", version: Self.ec2Version,
                                   parameters: [("Filter.1.Name", "tag:\(tagKey)"), ("Filter.1.Value.1", tagValue)])
        func live(_ answer: XMLElement) -> [XMLElement] {
            (answer.find("natGatewaySet")?.all("item") ?? []).filter { Self.isLive($0.value("state")) }
        }
        var found = Set<String>()
        for g in live(xml) {
            let id = g.value("natGatewayId") ?? ""
            if ids.contains(id) || Self.tagged(g, tagKey, tagValue) { found.insert(id) }
        }
        if !ids.isEmpty {
            var params: [(String, String)] = []
            for (i, id) in ids.enumerated() { params.append(("NatGatewayId.\(i + 1)", id)) }
            if let byId = try? client.query(.ec2, action: "DescribeNatGateways", version: Self.ec2Version, parameters: params) {
                for id in live(byId).compactMap({ $0.value("natGatewayId") }) where ids.contains(id) { found.insert(id) }
            }
        }
        return found.sorted()
    }

    static func tagged(_ item: XMLElement, _ key: String, _ value: String) -> Bool {
        (item.child("tagSet")?.all("item") ?? []).contains { $0.value("key") == key && $0.value("value") == value }
    }

    /// Elastic IPs (allocation ids) by id, or carrying the tag: each costs money while it exists.
    public func elasticIPs(allocationIds: [String], tagKey: String, tagValue: String) throws -> [String] {
        let xml = try client.query(.ec2, action: "DescribeAddresses", version: Self.ec2Version)
        var found: [String] = []
        for a in xml.find("addressesSet")?.all("item") ?? [] {
            let id = a.value("allocationId") ?? a.value("publicIp") ?? ""
            let tagged = Self.tagged(a, tagKey, tagValue)
            if tagged || allocationIds.contains(id) || allocationIds.contains(a.value("publicIp") ?? "") { found.append(id) }
        }
        return found.sorted()
    }

    /// Replication groups among `ids` that still exist.
    public func replicationGroups(_ ids: [String]) throws -> [String] {
        try ids.filter {
            try elastiCacheExists(action: "DescribeReplicationGroups", parameter: ("ReplicationGroupId", $0),
                                  notFound: "ReplicationGroupNotFoundFault")
        }
    }

    /// Serverless caches among `names` that still exist (they bill per GB-hour stored).
    public func serverlessCaches(_ names: [String]) throws -> [String] {
        try names.filter { name in
            try elastiCacheExists(action: "DescribeServerlessCaches", parameter: ("ServerlessCacheName", name),
                                  notFound: "ServerlessCacheNotFoundFault")
        }
    }

    /// RBAC users among `ids` that still exist.
    public func cacheUsers(_ ids: [String]) throws -> [String] {
        try ids.filter { try elastiCacheExists(action: "DescribeUsers", parameter: ("UserId", $0), notFound: "UserNotFound") }
    }

    /// RBAC user groups among `ids` that still exist.
    public func cacheUserGroups(_ ids: [String]) throws -> [String] {
        try ids.filter { try elastiCacheExists(action: "DescribeUserGroups", parameter: ("UserGroupId", $0), notFound: "UserGroupNotFound") }
    }

    private func elastiCacheExists(action: String, parameter: (String, String), notFound: String) throws -> Bool {
        do {
            _ = try client.query(.elasticache, action: action, version: "2015-02-02", parameters: [parameter])
            return true
        } catch let e as AWSError where e.code == notFound || e.status == 404 {
            return false
        }
    }

    /// Functions among `names` that still exist.
    public func functions(_ names: [String]) throws -> [String] {
        try names.filter { try exists(.lambda, path: "/2015-03-31/functions/\(URIEncoding.encode($0))") }
    }

    /// HTTP APIs among `ids` that still exist.
    public func httpApis(_ ids: [String]) throws -> [String] {
        try ids.filter { try exists(.apigatewayv2, path: "/v2/apis/\(URIEncoding.encode($0))") }
    }

    /// VPCs among `ids` that still exist.
    public func vpcs(_ ids: [String]) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let xml = try client.query(.ec2, action: "DescribeVpcs", version: Self.ec2Version)
        let live = Set((xml.find("vpcSet")?.all("item") ?? []).compactMap { $0.value("vpcId") })
        return ids.filter(live.contains)
    }

    /// Instances (NAT instances) by id, or carrying the tag, that are not terminated: a
    /// stopped one still bills its volume and address.
    public func liveInstances(ids: [String], tagKey: String, tagValue: String) throws -> [String] {
        let xml = try client.query(.ec2, action: "DescribeInstances", version: Self.ec2Version,
                                   parameters: [("Filter.1.Name", "tag:\(tagKey)"), ("Filter.1.Value.1", tagValue)])
        func live(_ answer: XMLElement) -> [(id: String, item: XMLElement)] {
            (answer.find("reservationSet")?.all("item") ?? []).flatMap { $0.child("instancesSet")?.all("item") ?? [] }
                .filter { !["terminated", "shutting-down"].contains($0.child("instanceState")?.value("name") ?? "") }
                .map { ($0.value("instanceId") ?? "", $0) }
        }
        var found = Set(live(xml).filter { ids.contains($0.id) || Self.tagged($0.item, tagKey, tagValue) }.map(\.id))
        // The stack's own instances by id too: one that lost its tags is still the stack's.
        if !ids.isEmpty {
            let byId = try? client.query(.ec2, action: "DescribeInstances", version: Self.ec2Version,
                                         parameters: ids.enumerated().map { ("InstanceId.\($0.offset + 1)", $0.element) })
            for instance in byId.map(live) ?? [] where ids.contains(instance.id) { found.insert(instance.id) }
        }
        return found.sorted()
    }

    /// Egress-only internet gateways among `ids` that still exist (free, but part of the network).
    public func egressOnlyGateways(_ ids: [String]) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let xml = try client.query(.ec2, action: "DescribeEgressOnlyInternetGateways", version: Self.ec2Version)
        let live = Set((xml.find("egressOnlyInternetGatewaySet")?.all("item") ?? []).compactMap { $0.value("egressOnlyInternetGatewayId") })
        return ids.filter(live.contains)
    }

    private func exists(_ service: AWSService, path: String) throws -> Bool {
        do {
            _ = try client.send(service, method: "GET", path: path)
            return true
        } catch let e as AWSError where e.status == 404 || e.code.hasSuffix("NotFoundException") || e.code == "NotFound" {
            return false
        }
    }

    static func isLive(_ state: String?) -> Bool { !["deleted", "failed"].contains(state ?? "") }
}
