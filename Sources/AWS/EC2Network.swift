import Foundation

/// The EC2 describe calls that tell what a VPC someone else built looks like: its subnets,
/// their zones and IPv6 blocks, and where each subnet's traffic goes.
public struct EC2Network: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    public struct Subnet: Sendable, Equatable {
        public let id: String
        public let vpcId: String
        public let availabilityZone: String
        public let hasIPv6: Bool
    }

    public struct Route: Sendable, Equatable {
        public let destination: String
        /// The target's id (nat-…, i-…, tgw-…, eigw-…, igw-…, vpce-…, eni-…), or "local".
        public let target: String
        public let active: Bool
    }

    public struct RouteTable: Sendable {
        public let id: String
        public let main: Bool
        public let subnetIds: [String]
        public let routes: [Route]
    }

    /// Whether the VPC exists.
    public func vpcExists(_ id: String) throws -> Bool {
        do {
            let xml = try client.query(.ec2, action: "DescribeVpcs", version: BillableQueries.ec2Version,
                                       parameters: [("VpcId.1", id)])
            return (xml.find("vpcSet")?.all("item") ?? []).contains { $0.value("vpcId") == id }
        } catch let e as AWSError where e.code.hasPrefix("InvalidVpcID") {
            return false
        }
    }

    /// The subnet, or nil if there is none with that id.
    public func subnet(_ id: String) throws -> Subnet? {
        do {
            let xml = try client.query(.ec2, action: "DescribeSubnets", version: BillableQueries.ec2Version,
                                       parameters: [("SubnetId.1", id)])
            guard let item = (xml.find("subnetSet")?.all("item") ?? []).first(where: { $0.value("subnetId") == id }) else { return nil }
            let ipv6 = (item.child("ipv6CidrBlockAssociationSet")?.all("item") ?? [])
                .contains { $0.child("ipv6CidrBlockState")?.value("state") == "associated" }
            return Subnet(id: id, vpcId: item.value("vpcId") ?? "", availabilityZone: item.value("availabilityZone") ?? "",
                          hasIPv6: ipv6)
        } catch let e as AWSError where e.code.hasPrefix("InvalidSubnetID") {
            return nil
        }
    }

    /// Every route table of the VPC, with its subnet associations and routes.
    public func routeTables(vpcId: String) throws -> [RouteTable] {
        let xml = try client.query(.ec2, action: "DescribeRouteTables", version: BillableQueries.ec2Version,
                                   parameters: [("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", vpcId)])
        let targets = ["natGatewayId", "instanceId", "transitGatewayId", "egressOnlyInternetGatewayId", "gatewayId",
                       "networkInterfaceId", "vpcPeeringConnectionId", "localGatewayId", "carrierGatewayId"]
        return (xml.find("routeTableSet")?.all("item") ?? []).compactMap { item in
            guard item.value("vpcId") == nil || item.value("vpcId") == vpcId, let id = item.value("routeTableId") else { return nil }
            let associations = item.child("associationSet")?.all("item") ?? []
            let routes = (item.child("routeSet")?.all("item") ?? []).map { r in
                Route(destination: r.value("destinationCidrBlock") ?? r.value("destinationIpv6CidrBlock") ?? "",
                      target: targets.lazy.compactMap { r.value($0) }.first { !$0.isEmpty } ?? "",
                      active: (r.value("state") ?? "active") == "active")
            }
            return RouteTable(id: id, main: associations.contains { $0.value("main") == "true" },
                              subnetIds: associations.compactMap { $0.value("subnetId") }, routes: routes)
        }
    }
}
