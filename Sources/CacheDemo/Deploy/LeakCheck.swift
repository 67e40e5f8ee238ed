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
        /// The cache's resources by type, for its parts' leak kinds.
        public var cacheResources: [String: [String]] = [:]
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
                case "AWS::ElastiCache::User": cacheUsers.append(id)
                case "AWS::ElastiCache::UserGroup": cacheUserGroups.append(id)
                case "AWS::Lambda::Function": functions.append(id)
                case "AWS::ApiGatewayV2::Api": apis.append(id)
                case "AWS::EC2::VPC": vpcs.append(id)
                case let type where CacheParts.leakKinds.contains(where: { $0.resourceType == type }):
                    cacheResources[type, default: []].append(id)
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
        // What each kind is called, whether it bills by the hour, and how to find what is left:
        // the way out, then the cache's own kinds (its parts' `leakKinds`), then the rest.
        typealias Kind = (kind: String, billable: Bool, find: () throws -> [String])
        var kinds: [Kind] = [
            ("NAT gateway", true, { try q.liveNatGateways(ids: i.natGateways, tagKey: key, tagValue: stackName) }),
            ("NAT instance", true, { try q.liveInstances(ids: i.natInstances, tagKey: key, tagValue: stackName) }),
            ("egress-only internet gateway", false, { try q.egressOnlyGateways(i.egressOnlyGateways) }),
            ("Elastic IP", true, { try q.elasticIPs(allocationIds: i.elasticIPs, tagKey: key, tagValue: stackName) }),
        ]
        for c in CacheParts.leakKinds {
            let ids = i.cacheResources[c.resourceType] ?? []
            kinds.append((c.kind, c.billable, { try c.find(q, ids) }))
        }
        kinds += [
            ("cache user", false, { try q.cacheUsers(i.cacheUsers) }),
            ("cache user group", false, { try q.cacheUserGroups(i.cacheUserGroups) }),
            ("Lambda function", false, { try q.functions(i.functions) }),
            ("HTTP API", false, { try q.httpApis(i.apis) }),
            ("VPC", false, { try q.vpcs(i.vpcs) }),
        ]
        var leftovers: [Leftover] = []
        for k in kinds {
            for id in try k.find() { leftovers.append(Leftover(kind: k.kind, id: id, billable: k.billable)) }
        }
        return leftovers
    }
}
