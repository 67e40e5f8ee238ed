import AWS
import CloudFormation
import Foundation
import Testing

@testable import CacheDemo

/// Issue 21: every cache shape is one part that answers for itself. Adding a variant to
/// `CacheParts.all` is enough for the template, the summary, the diagram, cost, the
/// deployed-template reading, replacements and the leak check to know it: each part is
/// asked every member here, through those consumers.
@Suite struct CachePartTests {
    /// A shape each part builds, as a user would ask for it.
    static func options(for part: any CachePart.Type) -> StackOptions {
        for shape: StackOptions.CacheShape in [.primary, .sharded(shards: 3, replicas: 1), .serverless] where part.builds(shape) {
            var o = StackOptions()
            o.cache = .init(shape)
            if case .sharded = shape { o.multiAZ = true }
            return o
        }
        Issue.record("no shape is built by \(part)")
        return StackOptions()
    }

    @Test func thePartListHasOnePartPerShape() {
        for shape: StackOptions.CacheShape in [.primary, .sharded(shards: 2, replicas: 0), .serverless] {
            #expect(CacheParts.all.filter { $0.builds(shape) }.count == 1, "\(shape)")
        }
    }

    @Test func everyPartAnswersEveryMemberThroughItsConsumers() throws {
        for type in CacheParts.all {
            let o = Self.options(for: type)
            let part = CacheParts.part(for: o)
            #expect(Swift.type(of: part) == type)
            #expect(!part.name.isEmpty && part.minimumAZs >= 1 && part.accessString.hasPrefix("on ~cachedemo:* -@all"))

            // The template: its resource, with the access string on the function's user (IAM by default).
            let template = try CacheStack(options: o).template()
            let rendered = try template.rendered(as: .json)
            #expect(template.resources.contains { $0.logicalId == CacheStack.cacheId && $0.type == type.resourceType }, "\(type)")
            #expect(rendered.contains(part.accessString))
            #expect(template.resources.filter { $0.type == "AWS::EC2::Subnet" }.count >= part.minimumAZs)
            if let summary = part.summary { #expect(rendered.contains(summary), "\(type): the description") }

            // Read back from the deployed template: the same shape.
            #expect(CacheShapeChange.Deployed.from(template: rendered)?.shape == o.cacheShape, "\(type)")
            #expect(CacheShapeChange.plan(from: try #require(CacheShapeChange.Deployed.from(template: rendered)), to: o) == .direct)

            // Diagram, cost, comparison.
            #expect(!part.diagramNodes(id: "Cache", zone: 0, zones: o.privateSubnetCount).isEmpty)
            let graph = StackGraph(template, options: o)
            #expect(graph.zones.flatMap(\.privateNodes).contains { $0.title == CacheStack.cacheId }, "\(type): not drawn")
            let estimate = try CostEstimate.estimate(o, region: "us-east-1", usage: CostEstimate.Usage())
            let lines = part.costLines(nodeHour: 0.016, region: try #require(PriceTable.regions["us-east-1"]), usage: .init(),
                                       table: PriceTable.self)
            #expect(!lines.isEmpty && lines.allSatisfy { l in estimate.lines.contains { $0.item == l.item } }, "\(type): not priced")
            #expect(part.flags.allSatisfy { ShapeComparison.flags(of: o).contains($0) })

            // Replacing its cache says what is lost (state: the prompt asks twice); destroy looks for it.
            let replaced = Replacements.planned(in: [.init(action: "Modify", logicalId: "Cache", type: type.resourceType, replacement: "True")])
            #expect(replaced.first?.stateful == true && replaced.first?.consequence.contains("emptied") == true, "\(type)")
            #expect(CacheParts.leakKinds.contains { $0.resourceType == type.resourceType && $0.billable }, "\(type): no leak check")
            let inventory = LeakCheck.Inventory(resources: [.init(logicalId: "Cache", physicalId: "c-1", type: type.resourceType,
                                                                  status: "DELETE_COMPLETE", reason: nil)])
            #expect(inventory.partResources[type.resourceType] == ["c-1"])
        }
    }

    /// The same for the ways out: every egress part, through the template, the deployed
    /// template's reading, cost, the comparison, replacements and the leak check.
    @Test func everyEgressPartAnswersEveryMemberThroughItsConsumers() throws {
        for type in EgressParts.all {
            var o = StackOptions()
            if let mode = type.mode { o.network = .created(.init(egress: mode)) } else {
                o.network = .existing(.init(vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0"]))
            }
            let part = EgressParts.part(for: o)
            #expect(Swift.type(of: part) == type)
            let template = try CacheStack(options: o).template()
            let rendered = try template.rendered(as: .json)
            if o.multiAZ || o.egress != .natGateway || o.existingNetwork != nil {
                #expect(rendered.contains(part.summary), "\(type): the description")
            }
            if let mode = type.mode {
                #expect(CacheShapeChange.Deployed.from(template: rendered)?.egress == mode, "\(type): not read back")
            }
            let estimate = try CostEstimate.estimate(o, region: "us-east-1", usage: CostEstimate.Usage())
            let lines = try part.costLines(region: try #require(PriceTable.regions["us-east-1"]), usage: .init(), table: PriceTable.self)
            #expect(!lines.isEmpty && lines.allSatisfy { l in estimate.lines.contains { $0.item == l.item } }, "\(type): not priced")
            #expect(ShapeComparison.tradeoff(of: o).hasSuffix(part.tradeoff))
            // Each resource type it adds that bills is looked for after a destroy; each it adds
            // that has a consequence listed says it.
            let types = Set(template.resources.map(\.type))
            for (resourceType, _) in type.replacementConsequences { #expect(types.contains(resourceType), "\(type): \(resourceType)") }
            for kind in type.leakKinds {
                #expect(types.contains(kind.resourceType) || kind.resourceType == EC2.EIP.type, "\(type): \(kind.kind)")
                #expect(LeakCheck.partKinds.contains { $0.kind == kind.kind })
            }
        }
    }

    /// The review's gaps: a serverless cache's and a NAT instance's replacement had only the
    /// generic text; the serverless one is state, so the prompt asks a second time.
    @Test func serverlessAndNatInstanceReplacementsSayWhatTheyCost() {
        let planned = Replacements.planned(in: [
            .init(action: "Modify", logicalId: "Cache", type: "AWS::ElastiCache::ServerlessCache", replacement: "True"),
            .init(action: "Modify", logicalId: "NatInstance1", type: "AWS::EC2::Instance", replacement: "True"),
        ])
        #expect(planned[0].stateful && planned[0].consequence.contains("serverless cache is emptied"))
        #expect(!planned[1].stateful && planned[1].consequence.contains("NAT instance"))
    }
}
