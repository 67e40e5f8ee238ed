/// Where each box, text and arrow of the stack diagram goes, computed once so every check
/// (nothing overlaps, every text inside its box) reads the same numbers the SVG is drawn
/// from. Text is DejaVu Sans Mono: a fixed advance per character makes its width known.
public struct DiagramLayout: Sendable {
    public struct Rect: Sendable, Equatable {
        public var x, y, width, height: Double
        public var right: Double { x + width }
        public var bottom: Double { y + height }
        public var centerX: Double { x + width / 2 }
        public var centerY: Double { y + height / 2 }

        public func intersects(_ o: Rect) -> Bool {
            x < o.right && o.x < right && y < o.bottom && o.y < bottom
        }

        public func contains(_ o: Rect) -> Bool {
            o.x >= x && o.right <= right && o.y >= y && o.bottom <= bottom
        }
    }

    public enum Kind: String, Sendable { case external, service, resource, vpc, subnet }

    /// A drawn box: a node (external, service, resource) or a container (VPC, subnet).
    public struct Box: Sendable {
        public let id: String
        public let kind: Kind
        public let rect: Rect
        public let lines: [String]
        /// Where each line's text sits (its baseline box), for the overlap checks.
        public let textRects: [Rect]
        public var isContainer: Bool { kind == .vpc || kind == .subnet }
    }

    /// A path of straight segments, right-angled where it must go around boxes, with its
    /// label on the longest segment.
    public struct Arrow: Sendable {
        public let points: [Point]
        public let label: String
        public let labelRect: Rect
    }

    public struct Point: Sendable, Equatable {
        public let x, y: Double
    }

    public static let fontSize = 12.0
    /// DejaVu Sans Mono's advance at 12 px is 7.22 px; a little more keeps a margin.
    public static let charWidth = 7.3
    public static let lineHeight = 16.0
    static let pad = 10.0
    static let margin = 20.0
    static let gapX = 100.0
    static let gapY = 60.0

    public let boxes: [Box]
    public let arrows: [Arrow]
    public let width: Double
    public let height: Double

    public init(_ g: StackGraph) {
        let P = Self.pad, M = Self.margin
        func textWidth(_ s: String) -> Double { Double(s.count) * Self.charWidth }
        func size(_ lines: [String]) -> (Double, Double) {
            ((lines.map(textWidth).max() ?? 0) + 2 * P, Double(lines.count) * Self.lineHeight + 2 * P)
        }
        var boxes: [Box] = []
        func box(_ id: String, _ kind: Kind, _ rect: Rect, _ lines: [String]) -> Rect {
            let texts = lines.enumerated().map { i, line in
                Rect(x: rect.x + P, y: rect.y + P + Double(i) * Self.lineHeight, width: textWidth(line), height: Self.lineHeight)
            }
            boxes.append(Box(id: id, kind: kind, rect: rect, lines: lines, textRects: texts))
            return rect
        }
        func lines(_ n: StackGraph.Node) -> [String] { [n.title, n.caption] }
        let headerHeight = 2 * Self.lineHeight + 2 * P

        // The zones' columns: a public subnet above, a private one below, each holding its nodes.
        let columns = g.zones.map { z -> (width: Double, publicNodes: [StackGraph.Node], privateNodes: [StackGraph.Node]) in
            let widths = ([z.publicSubnet, z.privateSubnet].compactMap { $0 } + z.publicNodes + z.privateNodes)
                .map { size(lines($0)).0 }
            return ((widths.max() ?? 100) + 2 * P, z.publicNodes, z.privateNodes)
        }
        let nodeHeight = size(["", ""]).1
        func stackHeight(_ count: Int) -> Double { headerHeight + Double(count) * (nodeHeight + P) + P }
        // A gateway outside the subnets sits in the public row, after the zones.
        let publicHeight = stackHeight(max(columns.map(\.publicNodes.count).max() ?? 0, g.gateway == nil ? 0 : 1))
        let gatewayWidth = g.gateway.map { size(lines($0)).0 + P } ?? 0
        let privateHeight = stackHeight(columns.map(\.privateNodes.count).max() ?? 0)

        // Top row: the client, then the API straight above the function.
        let (clientW, nodeH) = size(lines(g.client))
        let client = box(g.client.id, .external, Rect(x: M, y: M, width: clientW, height: nodeH), lines(g.client))
        let (apiW, _) = size(lines(g.api)), (fnW, _) = size(lines(g.function))
        let apiX = max(client.right + Self.gapX, M + P + fnW / 2 - apiW / 2)
        let api = box(g.api.id, .service, Rect(x: apiX, y: M, width: apiW, height: nodeH), lines(g.api))

        let vpcY = M + nodeH + Self.gapY
        let contentTop = vpcY + P
        let fnX = max(M + P, api.centerX - fnW / 2)
        let zonesX = fnX + fnW + Self.gapX
        let vpcRight = max(zonesX + columns.map(\.width).reduce(0, +) + Double(max(columns.count - 1, 0)) * P + P + gatewayWidth,
                           zonesX + size(lines(g.vpc)).0 + P)
        let privateTop = contentTop + headerHeight + publicHeight + Self.gapY / 2
        let vpcBottom = privateTop + privateHeight + P
        _ = box(g.vpc.id, .vpc, Rect(x: M, y: vpcY, width: vpcRight - M, height: vpcBottom - vpcY), [])
        // The VPC's own label sits over the zones, clear of the arrow down to the function.
        let vpcLabel = lines(g.vpc)
        boxes.append(Box(id: g.vpc.id + "-label", kind: .vpc,
                         rect: Rect(x: zonesX, y: contentTop, width: size(vpcLabel).0, height: headerHeight), lines: vpcLabel,
                         textRects: vpcLabel.enumerated().map { i, l in
                             Rect(x: zonesX + P, y: contentTop + P + Double(i) * Self.lineHeight, width: textWidth(l), height: Self.lineHeight)
                         }))
        let function = box(g.function.id, .service,
                           Rect(x: fnX, y: (contentTop + vpcBottom) / 2 - nodeH / 2, width: fnW, height: nodeH), lines(g.function))

        var placed: [String: Rect] = [g.client.id: client, g.api.id: api, g.function.id: function]
        var x = zonesX
        let publicTop = contentTop + headerHeight
        for (zone, column) in zip(g.zones, columns) {
            for (subnet, top, height, nodes) in [(zone.publicSubnet, publicTop, publicHeight, column.publicNodes),
                                                 (zone.privateSubnet, privateTop, privateHeight, column.privateNodes)] {
                guard let subnet else { continue }
                let frame = box(subnet.id, .subnet, Rect(x: x, y: top, width: column.width, height: height), lines(subnet))
                for (i, n) in nodes.enumerated() {
                    placed[n.id] = box(n.id, .resource, Rect(x: frame.x + P, y: frame.y + headerHeight + Double(i) * (nodeHeight + P),
                                                             width: column.width - 2 * P, height: nodeH), lines(n))
                }
            }
            x += column.width + P
        }

        if let gateway = g.gateway {
            placed[gateway.id] = box(gateway.id, .resource, Rect(x: x, y: publicTop + headerHeight,
                                                                width: size(lines(gateway)).0, height: nodeH), lines(gateway))
        }

        // The upstream, outside, level with the NAT gateways (or the gateway).
        let (upW, _) = size(lines(g.upstream))
        let natY = (g.zones.flatMap(\.publicNodes).first ?? g.gateway).flatMap { placed[$0.id]?.centerY } ?? (publicTop + publicHeight / 2)
        placed[g.upstream.id] = box(g.upstream.id, .external,
                                    Rect(x: vpcRight + Self.gapX, y: natY - nodeH / 2, width: upW, height: nodeH), lines(g.upstream))

        // Arrows: straight where the boxes line up, right-angled around the subnets' headers
        // otherwise, so no line runs through a label.
        let publicNodes = g.zones.flatMap(\.publicNodes)
        let lastColumnNodes = Set(g.zones.last?.publicNodes.map(\.id) ?? [])
        let busY = publicTop + publicHeight + Self.gapY / 4
        var arrows: [Arrow] = []
        func arrow(_ points: [Point], _ label: String) {
            let (w, h) = (label.isEmpty ? 0 : textWidth(label) + 8, label.isEmpty ? 0 : Self.lineHeight + 2)
            let longest = zip(points, points.dropFirst()).max { a, b in
                abs(a.0.x - a.1.x) + abs(a.0.y - a.1.y) < abs(b.0.x - b.1.x) + abs(b.0.y - b.1.y)
            }
            let mid = longest.map { Point(x: ($0.0.x + $0.1.x) / 2, y: ($0.0.y + $0.1.y) / 2) } ?? points[0]
            arrows.append(Arrow(points: points, label: label, labelRect: Rect(x: mid.x - w / 2, y: mid.y - h / 2, width: w, height: h)))
        }
        for e in g.edges {
            guard let a = placed[e.from], let b = placed[e.to] else { continue }
            switch (e.from, e.to) {
            case (g.client.id, _):
                arrow([Point(x: a.right, y: a.centerY), Point(x: b.x, y: a.centerY)], e.label)
            case (g.api.id, _):
                arrow([Point(x: b.centerX, y: a.bottom), Point(x: b.centerX, y: b.y)], e.label)
            case (g.function.id, _):
                // Out of the function's right side, then up (to the NAT) or down (to the cache).
                let up = b.centerY < a.centerY
                let x = a.right + (up ? 0.35 : 0.65) * Self.gapX
                let y = a.centerY + (up ? -8 : 8)
                arrow([Point(x: a.right, y: y), Point(x: x, y: y), Point(x: x, y: b.centerY), Point(x: b.x, y: b.centerY)], e.label)
            default:
                arrows += []
            }
        }
        // Out to the upstream: straight from the last zone's NAT, under the public subnets from the others.
        if let up = placed[g.upstream.id] {
            let label = g.edges.first { $0.to == g.upstream.id }?.label ?? ""
            if let gateway = g.gateway, let a = placed[gateway.id] {
                arrow([Point(x: a.right, y: a.centerY), Point(x: up.x, y: a.centerY)], label)
            }
            for (i, n) in publicNodes.enumerated() {
                guard let a = placed[n.id] else { continue }
                if lastColumnNodes.contains(n.id) {
                    arrow([Point(x: a.right, y: a.centerY), Point(x: up.x, y: a.centerY)], i == 0 ? label : "")
                } else {
                    arrow([Point(x: a.centerX, y: a.bottom), Point(x: a.centerX, y: busY), Point(x: up.centerX, y: busY),
                           Point(x: up.centerX, y: up.bottom)], i == 0 ? label : "")
                }
            }
        }
        self.boxes = boxes
        self.arrows = arrows
        width = (boxes.map(\.rect.right).max() ?? 0) + M
        height = (boxes.map(\.rect.bottom).max() ?? 0) + M
    }
}
