import AWS
import CloudFormation

/// A VPC of your own (`--vpc-id`, `--subnet-ids`): its routes carry egress, so the stack adds
/// nothing for it and pays nothing for it; deploy checks the routes before it begins.
struct OwnVPCEgress: EgressPart {
    let options: StackOptions

    static var mode: StackOptions.Egress? { nil }
    static func recognizes(_ resources: [String: Any]) -> Bool { false }
    static var replacementConsequences: [String: (String, stateful: Bool)] { [:] }
    static var leakKinds: [LeakKind] { [] }

    func addAddressing(to t: inout Template, vpc: String) -> SubnetIPv6? { nil }

    func diagramExits(in t: Template) -> EgressDiagram {
        EgressDiagram(gateway: StackGraph.Node(id: "VpcEgress", title: "your VPC's egress", caption: "its own NAT or gateway"))
    }
    func addRoutes(to t: inout Template, vpc: String, privateRouteTables: [String]) {}

    var summary: String { options.egressOverIPv6 ? "your VPC, IPv6 egress" : "your VPC's own egress" }
    var tradeoff: String { "egress is your VPC's" }

    func costLines(region: PriceTable.Region, usage: CostEstimate.Usage, table: PriceTable.Type) throws(CostError) -> [CostEstimate.Line] {
        [.init(item: "network (your VPC: its egress bills there)", quantity: "-", hourly: 0, monthly: 0)]
    }
}
