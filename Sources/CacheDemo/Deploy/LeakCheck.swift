import AWS
import Foundation

/// After destroy: asks the services themselves whether anything the stack made still
/// exists, so "deleted" means nothing keeps billing.
public struct LeakCheck: Sendable {
    /// What the stack held, recorded before it was deleted.
    public struct Inventory: Sendable {
        /// The way out's and the cache's resources by type, for their parts' leak kinds.
        public var partResources: [String: [String]] = [:]
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
                case "AWS::ElastiCache::User": cacheUsers.append(id)
                case "AWS::ElastiCache::UserGroup": cacheUserGroups.append(id)
                case "AWS::Lambda::Function": functions.append(id)
                case "AWS::ApiGatewayV2::Api": apis.append(id)
                case "AWS::EC2::VPC": vpcs.append(id)
                case let type where LeakCheck.partKinds.contains(where: { $0.resourceType == type }):
                    partResources[type, default: []].append(id)
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

    /// The parts' kinds: every way out's, then every cache shape's.
    static var partKinds: [LeakKind] { EgressParts.leakKinds + CacheParts.leakKinds }

    public func check(stackName: String, inventory: Inventory) throws -> [Leftover] {
        let (q, i) = (queries, inventory)
        // What each kind is called, whether it bills by the hour, and how to find what is left:
        // the way out's and the cache's own kinds (their parts' `leakKinds`), then the rest.
        typealias Kind = (kind: String, billable: Bool, find: () throws -> [String])
        var kinds: [Kind] = []
        for k in Self.partKinds {
            let ids = i.partResources[k.resourceType] ?? []
            kinds.append((k.kind, k.billable, { try k.find(q, ids, stackName) }))
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
