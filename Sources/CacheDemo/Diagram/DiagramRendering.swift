import Foundation

/// The stack diagram as SVG (drawn from the layout), Mermaid (for GitHub READMEs) or DOT
/// (Graphviz): the same graph, deterministic text.
public enum DiagramFormat: String, CaseIterable, Sendable {
    case svg, mermaid, dot
}

public enum DiagramRendering {
    public static func render(_ g: StackGraph, as format: DiagramFormat) -> String {
        switch format {
        case .svg: return svg(DiagramLayout(g))
        case .mermaid: return mermaid(g)
        case .dot: return dot(g)
        }
    }

    static func n(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escapeXML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Fill and stroke per kind: outside things grey, AWS services orange, resources blue,
    /// containers outlined (the VPC solid, subnets dashed).
    static func style(_ kind: DiagramLayout.Kind) -> String {
        switch kind {
        case .external: return ##"fill="#f2f2f2" stroke="#555555""##
        case .service: return ##"fill="#fff1e0" stroke="#d9822b""##
        case .resource: return ##"fill="#e8f0fe" stroke="#3367d6""##
        case .vpc: return ##"fill="#fbfffb" stroke="#2e7d32" stroke-width="1.5""##
        case .subnet: return ##"fill="none" stroke="#2e7d32" stroke-dasharray="5,3""##
        }
    }

    public static func svg(_ l: DiagramLayout) -> String {
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(l.width.rounded(.up)))\" "
            + "height=\"\(Int(l.height.rounded(.up)))\" viewBox=\"0 0 \(Int(l.width.rounded(.up))) \(Int(l.height.rounded(.up)))\" "
            + "font-family=\"DejaVu Sans Mono, monospace\" font-size=\"\(Int(DiagramLayout.fontSize))\">"]
        out.append(##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333333"/></marker></defs>"##)
        out.append(##"<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>"##)
        // Containers first (outermost first), then nodes, then arrows over them, then labels on top.
        let ordered = l.boxes.filter(\.isContainer) + l.boxes.filter { !$0.isContainer }
        for b in ordered {
            if b.rect.width > 0 && !b.id.hasSuffix("-label") {
                out.append("<rect x=\"\(n(b.rect.x))\" y=\"\(n(b.rect.y))\" width=\"\(n(b.rect.width))\" height=\"\(n(b.rect.height))\" "
                    + "rx=\"6\" \(style(b.kind))/>")
            }
        }
        for a in l.arrows {
            let points = a.points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
            out.append("<polyline points=\"\(points)\" fill=\"none\" "
                + ##"stroke="#333333" stroke-width="1.5" marker-end="url(#arrow)"/>"##)
        }
        for b in ordered {
            for (i, (line, r)) in zip(b.lines, b.textRects).enumerated() {
                let weight = i == 0 ? " font-weight=\"bold\"" : " fill=\"#444444\""
                out.append("<text x=\"\(n(r.x))\" y=\"\(n(r.y + DiagramLayout.lineHeight - 4))\"\(weight)>\(escapeXML(line))</text>")
            }
        }
        for a in l.arrows where !a.label.isEmpty {
            let r = a.labelRect
            out.append("<rect x=\"\(n(r.x))\" y=\"\(n(r.y))\" width=\"\(n(r.width))\" height=\"\(n(r.height))\" fill=\"#ffffff\" rx=\"3\"/>")
            out.append("<text x=\"\(n(r.centerX))\" y=\"\(n(r.y + DiagramLayout.lineHeight - 3))\" text-anchor=\"middle\" "
                + "fill=\"#333333\">\(escapeXML(a.label))</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    static func id(_ s: String) -> String { s.replacingOccurrences(of: "-", with: "_") }

    public static func mermaid(_ g: StackGraph) -> String {
        func node(_ x: StackGraph.Node, _ shape: (String, String) = ("[\"", "\"]")) -> String {
            "\(id(x.id))\(shape.0)\(x.title)<br/>\(x.caption)\(shape.1)"
        }
        var out = ["flowchart LR", "  " + node(g.client, ("([\"", "\"])")), "  " + node(g.api), "  " + node(g.upstream, ("([\"", "\"])"))]
        out.append("  subgraph \(id(g.vpc.id))[\"\(g.vpc.title)<br/>\(g.vpc.caption)\"]")
        out.append("    " + node(g.function))
        if let gateway = g.gateway { out.append("    " + node(gateway)) }
        for (subnet, nodes) in g.subnets {
            out.append("    subgraph \(id(subnet.id))[\"\(subnet.title)<br/>\(subnet.caption)\"]")
            out += nodes.map { "      " + node($0) }
            out.append("    end")
        }
        out.append("  end")
        out += g.edges.map { "  \(id($0.from)) -->|\($0.label)| \(id($0.to))" }
        out += g.otherNATs.map { "  \(id($0.id)) --> \(id(g.upstream.id))" }
        return out.joined(separator: "\n") + "\n"
    }

    public static func dot(_ g: StackGraph) -> String {
        func node(_ x: StackGraph.Node, _ shape: String = "box") -> String {
            "\"\(x.id)\" [label=\"\(x.title)\\n\(x.caption)\", shape=\(shape)];"
        }
        var out = ["digraph cachedemo {", "  rankdir=LR;", "  node [fontname=\"DejaVu Sans Mono\", fontsize=10];",
                   "  " + node(g.client, "oval"), "  " + node(g.api), "  " + node(g.upstream, "oval"),
                   "  subgraph \"cluster_\(g.vpc.id)\" {", "    label=\"\(g.vpc.title)\\n\(g.vpc.caption)\";", "    " + node(g.function)]
        if let gateway = g.gateway { out.append("    " + node(gateway)) }
        for (subnet, nodes) in g.subnets {
            out.append("    subgraph \"cluster_\(subnet.id)\" {")
            out.append("      label=\"\(subnet.title)\\n\(subnet.caption)\"; style=dashed;")
            out += nodes.map { "      " + node($0) }
            // Graphviz drops an empty cluster: an invisible point keeps the subnet drawn.
            if nodes.isEmpty { out.append("      \"\(subnet.id)-empty\" [shape=point, style=invis];") }
            out.append("    }")
        }
        out.append("  }")
        out += g.edges.map { "  \"\($0.from)\" -> \"\($0.to)\" [label=\"\($0.label)\"];" }
        out += g.otherNATs.map { "  \"\($0.id)\" -> \"\(g.upstream.id)\";" }
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }
}
