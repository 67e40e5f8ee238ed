import CloudFormation

/// The stack as a picture sees it, read off the template model (resource types, logical ids,
/// which subnet holds what), so the diagram cannot drift from the template: the VPC with
/// its availability zones, each with a public and a private subnet, what sits in them, and
/// the request path from the client to the cache and, on a miss, out to the upstream.
public struct StackGraph: Sendable, Equatable {
    /// A box with a title line (the logical id) and a caption (the type, or what it is).
    public struct Node: Sendable, Equatable {
        public let id: String
        public let title: String
        public let caption: String
    }

    /// One availability zone's subnets and what the template puts in them.
    public struct Zone: Sendable, Equatable {
        public let index: Int
        public let publicSubnet: Node?
        public let publicNodes: [Node]
        public let privateSubnet: Node?
        public let privateNodes: [Node]
    }

    public struct Edge: Sendable, Equatable {
        public let from: String
        public let to: String
        public let label: String
    }

    public let client: Node
    public let api: Node
    public let function: Node
    public let vpc: Node
    public let zones: [Zone]
    /// A way out that is not in a subnet: an egress-only internet gateway, or the routes of
    /// a VPC the stack does not own.
    public let gateway: Node?
    public let upstream: Node
    public let edges: [Edge]

    public init(_ t: Template, options: StackOptions) {
        let first = { (type: String) in t.resources(ofType: type).first }
        func node(_ r: Resource?, caption: String? = nil) -> Node {
            Node(id: r?.logicalId ?? "?", title: r?.logicalId ?? "?", caption: caption ?? r?.type ?? "")
        }
        client = Node(id: "Client", title: "Client", caption: "any HTTP client")
        upstream = Node(id: "Upstream", title: "Upstream API", caption: options.upstream.host)
        api = node(first(ApiGatewayV2.Api.type), caption: "\(ApiGatewayV2.Api.type) + $default stage")
        function = node(first(Lambda.Function.type))
        let vpcResource = first(EC2.VPC.type)
        let own = options.existingNetwork
        vpc = own.map { Node(id: $0.vpcId, title: $0.vpcId, caption: "your VPC: the stack adds only its security groups") }
            ?? node(vpcResource, caption: "\(EC2.VPC.type) \(options.vpcCIDR)")

        // Public subnets are those whose route table sends 0.0.0.0/0 to an internet gateway.
        let publicTables = Set(t.resources(ofType: EC2.Route.type).compactMap { r -> String? in
            guard let route = r.properties as? EC2.Route, route.gatewayId != nil else { return nil }
            return Self.refName(route.routeTableId)
        })
        let publicSubnets = Set(t.resources(ofType: EC2.SubnetRouteTableAssociation.type).compactMap { r -> String? in
            guard let a = r.properties as? EC2.SubnetRouteTableAssociation,
                  let table = Self.refName(a.routeTableId), publicTables.contains(table) else { return nil }
            return Self.refName(a.subnetId)
        })
        let subnets = t.resources(ofType: EC2.Subnet.type).compactMap { r -> (Resource, zone: Int)? in
            guard let s = r.properties as? EC2.Subnet, case .select(let i, _)? = s.availabilityZone else { return nil }
            return (r, i)
        }
        // The way out is the egress part's to draw.
        let exits = EgressParts.part(for: options).diagramExits(in: t)
        let nats = exits.inPublicSubnets
        let cache = first(type(of: options.cachePart).resourceType)
        // A VPC of one's own: its given subnets, one column each.
        let zoneCount = own.map(\.subnetIds.count) ?? (subnets.map(\.zone).max() ?? 0) + 1
        zones = (0..<zoneCount).map { z in
            let here = subnets.filter { $0.zone == z }
            let pub = here.first { publicSubnets.contains($0.0.logicalId) }?.0
            let priv = here.first { !publicSubnets.contains($0.0.logicalId) }?.0
            let privateNode = own.map { Node(id: $0.subnetIds[z], title: $0.subnetIds[z], caption: "your subnet") }
                ?? priv.map { node($0, caption: "private subnet, AZ \(z + 1)") }
            let cacheNodes = options.cachePart.diagramNodes(id: cache?.logicalId ?? CacheStack.cacheId, zone: z, zones: zoneCount)
            return Zone(index: z + 1,
                        publicSubnet: pub.map { node($0, caption: "public subnet, AZ \(z + 1)") },
                        publicNodes: nats.filter { $0.subnet == pub?.logicalId }.map(\.0),
                        privateSubnet: privateNode,
                        privateNodes: cacheNodes)
        }
        let primary = zones.first?.privateNodes.first?.id ?? CacheStack.cacheId
        let (clientId, apiId, functionId, upstreamId) = (client.id, api.id, function.id, upstream.id)
        var edges = [Edge(from: clientId, to: apiId, label: "HTTPS"), Edge(from: apiId, to: functionId, label: "invoke"),
                     Edge(from: functionId, to: primary, label: "TLS :\(options.cachePort)")]
        gateway = exits.gateway
        let out = "\(options.upstream.scheme.uppercased()) :\(options.upstream.port)"
        if let firstNAT = zones.flatMap(\.publicNodes).first?.id ?? gateway?.id {
            edges += [Edge(from: functionId, to: firstNAT, label: options.egressOverIPv6 ? "miss (IPv6)" : "miss"),
                      Edge(from: firstNAT, to: upstreamId, label: out)]
        }
        self.edges = edges
    }

    /// Each subnet with what sits in it, public then private, zone by zone.
    public var subnets: [(subnet: Node, nodes: [Node])] {
        zones.flatMap { z in
            [(z.publicSubnet, z.publicNodes), (z.privateSubnet, z.privateNodes)].compactMap { s, n in s.map { ($0, n) } }
        }
    }

    /// NAT gateways after the first: each is also a way out to the upstream (the first's
    /// edge is in `edges`, with the label).
    public var otherNATs: [Node] { Array(zones.flatMap(\.publicNodes).dropFirst()) }

    /// Every node, zones' contents included, for renderers that list them.
    public var allNodes: [Node] {
        [client, api, function, upstream] + (gateway.map { [$0] } ?? []) + zones.flatMap { $0.publicNodes + $0.privateNodes }
    }

    static func refName(_ v: Value) -> String? {
        if case .ref(let name) = v { return name }
        return nil
    }

    static func attName(_ v: Value) -> String? {
        if case .getAtt(let name, _) = v { return name }
        return nil
    }
}
