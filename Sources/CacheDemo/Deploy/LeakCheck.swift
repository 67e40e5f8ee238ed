import AWS
import Foundation

/// After destroy: asks the services themselves whether anything the stack made still
/// exists, so "deleted" means nothing keeps billing.
public struct LeakCheck: Sendable {
    /// What the stack held, recorded before it was deleted.
    public struct Inventory: Sendable {
        public var natGateways: [String] = []
        public var natInstances: [String] = []
        public var egressOnlyGateways: [String] = []
        public var elasticIPs: [String] = []
        public var replicationGroups: [String] = []
        public var serverlessCaches: [String] = []
        public var cacheUsers: [String] = []
        public var cacheUserGroups: [String] = []
        public var functions: [String] = []
        public var apis: [String] = []
        public var vpcs: [String] = []

        public init() {}

        public init(resources: [CloudFormationClient.Resource]) {
            for r in resources {
                guard let id = r.physicalId, !id.isEmpty else { continue }
                switch r.type {
                case "AWS::EC2::NatGateway": natGateways.append(id)
                case "AWS::EC2::Instance": natInstances.append(id)
                case "AWS::EC2::EgressOnlyInternetGateway": egressOnlyGateways.append(id)
                case "AWS::EC2::EIP": elasticIPs.append(id)
                case "AWS::ElastiCache::ReplicationGroup": replicationGroups.append(id)
                case "AWS::ElastiCache::ServerlessCache": serverlessCaches.append(id)
                case "AWS::ElastiCache::User": cacheUsers.append(id)
                case "AWS::ElastiCache::UserGroup": cacheUserGroups.append(id)
                case "AWS::Lambda::Function": functions.append(id)
                case "AWS::ApiGatewayV2::Api": apis.append(id)
                case "AWS::EC2::VPC": vpcs.append(id)
                default: break
                }
            }
        }
    }

    public struct Leftover: Sendable, Equatable {
        public let kind: String
        public let id: String
        /// Keeps costing money by the hour.
        public let billable: Bool
    }

    let queries: BillableQueries

    public init(client: AWSClient) { queries = BillableQueries(client: client) }

    public func check(stackName: String, inventory: Inventory) throws -> [Leftover] {
        var left: [Leftover] = []
        for id in try queries.liveNatGateways(ids: inventory.natGateways, tagKey: CacheStack.stackTagKey, tagValue: stackName) {
            left.append(Leftover(kind: "NAT gateway", id: id, billable: true))
        }
        for id in try queries.liveInstances(ids: inventory.natInstances, tagKey: CacheStack.stackTagKey, tagValue: stackName) {
            left.append(Leftover(kind: "NAT instance", id: id, billable: true))
        }
        for id in try queries.egressOnlyGateways(inventory.egressOnlyGateways) {
            left.append(Leftover(kind: "egress-only internet gateway", id: id, billable: false))
        }
        for id in try queries.elasticIPs(allocationIds: inventory.elasticIPs, tagKey: CacheStack.stackTagKey, tagValue: stackName) {
            left.append(Leftover(kind: "Elastic IP", id: id, billable: true))
        }
        for id in try queries.replicationGroups(inventory.replicationGroups) {
            left.append(Leftover(kind: "cache replication group", id: id, billable: true))
        }
        for id in try queries.serverlessCaches(inventory.serverlessCaches) {
            left.append(Leftover(kind: "serverless cache", id: id, billable: true))
        }
        for id in try queries.cacheUsers(inventory.cacheUsers) {
            left.append(Leftover(kind: "cache user", id: id, billable: false))
        }
        for id in try queries.cacheUserGroups(inventory.cacheUserGroups) {
            left.append(Leftover(kind: "cache user group", id: id, billable: false))
        }
        for id in try queries.functions(inventory.functions) {
            left.append(Leftover(kind: "Lambda function", id: id, billable: false))
        }
        for id in try queries.httpApis(inventory.apis) {
            left.append(Leftover(kind: "HTTP API", id: id, billable: false))
        }
        for id in try queries.vpcs(inventory.vpcs) {
            left.append(Leftover(kind: "VPC", id: id, billable: false))
        }
        return left
    }
}
