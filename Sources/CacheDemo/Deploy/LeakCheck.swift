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
        let (key, q, i) = (CacheStack.stackTagKey, queries, inventory)
        // What each kind is called, whether it bills by the hour, and how to find what is left.
        let kinds: [(kind: String, billable: Bool, find: () throws -> [String])] = [
            ("NAT gateway", true, { try q.liveNatGateways(ids: i.natGateways, tagKey: key, tagValue: stackName) }),
            ("NAT instance", true, { try q.liveInstances(ids: i.natInstances, tagKey: key, tagValue: stackName) }),
            ("egress-only internet gateway", false, { try q.egressOnlyGateways(i.egressOnlyGateways) }),
            ("Elastic IP", true, { try q.elasticIPs(allocationIds: i.elasticIPs, tagKey: key, tagValue: stackName) }),
            ("cache replication group", true, { try q.replicationGroups(i.replicationGroups) }),
            ("serverless cache", true, { try q.serverlessCaches(i.serverlessCaches) }),
            ("cache user", false, { try q.cacheUsers(i.cacheUsers) }),
            ("cache user group", false, { try q.cacheUserGroups(i.cacheUserGroups) }),
            ("Lambda function", false, { try q.functions(i.functions) }),
            ("HTTP API", false, { try q.httpApis(i.apis) }),
            ("VPC", false, { try q.vpcs(i.vpcs) }),
        ]
        return try kinds.flatMap { k in try k.find().map { Leftover(kind: k.kind, id: $0, billable: k.billable) } }
    }
}
