import CloudFormation
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// The stack diagram, checked as a person meets it: rendered by a real renderer
/// (rsvg-convert), at the size the layout says, with no box, text or label on another.
@Suite struct DiagramTests {
    typealias Rect = DiagramLayout.Rect

    static let variants: [(String, [String])] = [
        ("single-az", []), ("multi-az", ["--multi-az"]), ("multi-az-single-nat", ["--multi-az", "--single-nat"]),
        ("multi-az-nat-instance", ["--multi-az", "--egress", "nat-instance"]), ("ipv6", ["--egress", "ipv6"]),
        ("multi-az-ipv6", ["--multi-az", "--egress", "ipv6"]),
        ("own-vpc-multi-az", ["--multi-az", "--vpc-id", Variant.vpc, "--subnet-ids", Variant.ownSubnets.joined(separator: ",")]),
        ("sharded-multi-az", ["--shards", "3", "--multi-az"]), ("serverless", ["--serverless", "--engine", "valkey"]),
    ]

    /// The flags as options, read the way the template tests read them.
    func options(_ flags: [String]) -> StackOptions {
        Variant(name: "", flags: flags, natGateways: 0, subnets: 0, cacheNodes: 0).options
    }

    func graph(_ flags: [String]) throws -> (StackGraph, Template) {
        let o = options(flags)
        let t = try CacheStack(options: o).template()
        return (StackGraph(t, options: o), t)
    }

    /// Whether a segment passes through a rectangle (axis-aligned segments only, as drawn).
    func crosses(_ a: DiagramLayout.Point, _ b: DiagramLayout.Point, _ r: Rect) -> Bool {
        let segment = Rect(x: min(a.x, b.x), y: min(a.y, b.y), width: max(abs(a.x - b.x), 0.5), height: max(abs(a.y - b.y), 0.5))
        return segment.intersects(r)
    }

    @Test(arguments: variants)
    func nothingOverlapsAndEveryTextIsInItsBox(_ name: String, _ flags: [String]) throws {
        let layout = DiagramLayout(try graph(flags).0)
        let nodes = layout.boxes.filter { !$0.isContainer }
        let texts = layout.boxes.flatMap(\.textRects) + layout.arrows.filter { !$0.label.isEmpty }.map(\.labelRect)
        for (i, a) in texts.enumerated() {
            for b in texts[(i + 1)...] { #expect(!a.intersects(b), "\(name): texts overlap: \(a) \(b)") }
        }
        for (i, a) in nodes.enumerated() {
            for b in nodes[(i + 1)...] { #expect(!a.rect.intersects(b.rect), "\(name): \(a.id) and \(b.id) overlap") }
        }
        for b in layout.boxes {
            for t in b.textRects { #expect(b.rect.contains(t), "\(name): a text of \(b.id) leaves its box") }
        }
        // Each node inside its subnet (when in one) and every subnet inside the VPC.
        let vpc = try #require(layout.boxes.first { $0.kind == .vpc && !$0.id.hasSuffix("-label") })
        for s in layout.boxes where s.kind == .subnet { #expect(vpc.rect.contains(s.rect), "\(name): \(s.id) outside the VPC") }
        // Arrows and their labels clear of every text and node they do not start or end at.
        for a in layout.arrows {
            for n in nodes where !a.label.isEmpty { #expect(!a.labelRect.intersects(n.rect), "\(name): label \(a.label) on \(n.id)") }
            for t in layout.boxes.flatMap(\.textRects) {
                for (p, q) in zip(a.points, a.points.dropFirst()) { #expect(!crosses(p, q, t), "\(name): an arrow runs through a text") }
            }
        }
        #expect(layout.width > 0 && layout.height > 0)
    }

    /// Labels come from the model: every resource the picture stands for is named by its logical id.
    @Test(arguments: variants)
    func labelsComeFromTheTemplate(_ name: String, _ flags: [String]) throws {
        let (g, t) = try graph(flags)
        let svg = DiagramRendering.render(g, as: .svg)
        let drawn = [EC2.NatGateway.type, EC2.Instance.type, EC2.EgressOnlyInternetGateway.type, EC2.Subnet.type,
                     Lambda.Function.type, ApiGatewayV2.Api.type, EC2.VPC.type, ElastiCache.ReplicationGroup.type,
                     ElastiCache.ServerlessCache.type]
        for r in t.resources where drawn.contains(r.type) { #expect(svg.contains(">\(r.logicalId)<"), "\(name): \(r.logicalId)") }
        let own = options(flags).existingNetwork
        for id in own.map({ [$0.vpcId] + $0.subnetIds }) ?? [] { #expect(svg.contains(">\(id)<"), "\(name): \(id)") }
        let o = options(flags)
        #expect(g.zones.count == own?.subnetIds.count ?? o.privateSubnetCount)
        #expect(g.zones.flatMap(\.publicNodes).count
            == t.resources(ofType: EC2.NatGateway.type).count + t.resources(ofType: EC2.Instance.type).count)
        // One box per cache node (a cluster: one per AZ, a serverless cache: one).
        let boxes: Int
        switch o.cacheShape {
        case .primary: boxes = o.cacheNodeCount
        case .sharded: boxes = g.zones.count
        case .serverless: boxes = 1
        }
        #expect(g.zones.flatMap(\.privateNodes).count == boxes)
        // A miss always has a way out drawn: a NAT, the egress-only gateway, or the VPC's own.
        #expect(g.edges.contains { $0.to == g.upstream.id })
        for format in DiagramFormat.allCases {
            let text = DiagramRendering.render(g, as: format)
            #expect(text == DiagramRendering.render(try graph(flags).0, as: format), "\(name) \(format) is not deterministic")
            for n in g.allNodes { #expect(text.contains(n.title), "\(name) \(format): \(n.title)") }
        }
    }

    /// Rendered by librsvg, as a browser would: it parses, and the picture has the layout's size.
    @Test(arguments: variants)
    func rsvgRendersItAtTheLayoutsSize(_ name: String, _ flags: [String]) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("\(name).svg")
        let r = try cachedemo(["diagram", "--output-file", svg.path] + flags, environment: ["PATH": "/usr/bin:/bin"])
        #expect(r.status == 0, "\(r.stderr)")
        let (width, height) = try renderedSize(ofSVG: svg)
        let layout = DiagramLayout(try graph(flags).0)
        #expect(width == Int(layout.width.rounded(.up)) && height == Int(layout.height.rounded(.up)))
    }

    @Test(arguments: [("single-az.svg", false), ("multi-az.svg", true)])
    func committedDiagramsAreCurrent(_ file: String, _ multiAZ: Bool) throws {
        let committed = try String(contentsOf: Repo.root.appendingPathComponent("docs/\(file)"), encoding: .utf8)
        let rendered = DiagramRendering.render(try graph(multiAZ ? ["--multi-az"] : []).0, as: .svg)
        #expect(committed == rendered, "docs/\(file) is stale: run scripts/render-templates")
    }

    /// Graphviz drops an empty cluster: an empty subnet (the second AZ's public one with a
    /// single NAT) keeps an invisible point, so it is drawn like in the SVG.
    @Test func dotKeepsAnEmptySubnet() throws {
        let dot = DiagramRendering.render(try graph(["--multi-az", "--single-nat"]).0, as: .dot)
        #expect(dot.contains("\"PublicSubnet2-empty\" [shape=point, style=invis];"))
    }

    @Test func mermaidAndDotHaveTheSameShape() throws {
        let g = try graph(["--multi-az"]).0
        let mermaid = DiagramRendering.render(g, as: .mermaid), dot = DiagramRendering.render(g, as: .dot)
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        #expect(mermaid.components(separatedBy: "subgraph ").count - 1 == 5)  // the VPC and four subnets
        #expect(dot.hasPrefix("digraph cachedemo {") && dot.components(separatedBy: "subgraph \"cluster_").count - 1 == 5)
        #expect(mermaid.components(separatedBy: "-->").count - 1 == g.edges.count + 1)  // plus the second NAT's way out
    }
}
