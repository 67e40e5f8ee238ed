/// The deploy timeline as SVG, drawn from a layout the tests check the same way as the
/// stack diagram's: names in their column, bars in theirs, one row each, nothing overlapping.
public struct TimelineLayout: Sendable {
    public typealias Rect = DiagramLayout.Rect

    public struct Row: Sendable {
        public let name: String
        public let nameRect: Rect
        public let bar: Rect
        public let durationText: String
        public let durationRect: Rect
        public let critical: Bool
        public let failed: Bool
    }

    static let rowHeight = 22.0
    static let barArea = 600.0
    static let pad = 10.0

    public let title: String
    public let titleRect: Rect
    public let rows: [Row]
    public let width: Double
    public let height: Double

    public init(_ t: Timeline) {
        let cw = DiagramLayout.charWidth, P = Self.pad
        let nameWidth = Double(t.rows.map(\.logicalId.count).max() ?? 8) * cw
        let barX = P + nameWidth + P
        let scale = t.total > 0 ? Self.barArea / t.total : 0
        title = "\(t.operation.lowercased()) timeline: \(String(format: "%.1f", t.total)) s (red: critical path; FAILED rows say so)"
        titleRect = Rect(x: P, y: P, width: Double(title.count) * cw, height: DiagramLayout.lineHeight)
        let top = P + DiagramLayout.lineHeight + P
        rows = t.rows.enumerated().map { i, r in
            let y = top + Double(i) * Self.rowHeight
            let x = barX + r.start * scale
            let text = String(format: "%.1f s", r.duration) + (r.failed ? " FAILED" : "")
            return Row(name: r.logicalId, nameRect: Rect(x: P, y: y + 3, width: Double(r.logicalId.count) * cw, height: DiagramLayout.lineHeight),
                       bar: Rect(x: x, y: y + 4, width: max(2, r.duration * scale), height: Self.rowHeight - 8),
                       durationText: text,
                       durationRect: Rect(x: barX + Self.barArea + P, y: y + 3, width: Double(text.count) * cw, height: DiagramLayout.lineHeight),
                       critical: r.critical, failed: r.failed)
        }
        width = max(barX + Self.barArea + P + 16 * cw + P, titleRect.right + P)
        height = top + Double(rows.count) * Self.rowHeight + P
    }

    public func svg() -> String {
        let n = DiagramRendering.n
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width.rounded(.up)))\" height=\"\(Int(height.rounded(.up)))\" "
            + "viewBox=\"0 0 \(Int(width.rounded(.up))) \(Int(height.rounded(.up)))\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"12\">",
                   ##"<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>"##,
                   "<text x=\"\(n(titleRect.x))\" y=\"\(n(titleRect.y + 12))\" font-weight=\"bold\">\(DiagramRendering.escapeXML(title))</text>"]
        for r in rows {
            out.append("<text x=\"\(n(r.nameRect.x))\" y=\"\(n(r.nameRect.y + 12))\">\(DiagramRendering.escapeXML(r.name))</text>")
            out.append("<rect x=\"\(n(r.bar.x))\" y=\"\(n(r.bar.y))\" width=\"\(n(r.bar.width))\" height=\"\(n(r.bar.height))\" "
                + "fill=\"\(r.critical ? "#c62828" : "#90a4ae")\"\(r.failed ? " stroke=\"#000000\" stroke-dasharray=\"3,2\"" : "")/>")
            out.append("<text x=\"\(n(r.durationRect.x))\" y=\"\(n(r.durationRect.y + 12))\" "
                + "fill=\"\(r.failed ? "#b71c1c" : "#444444")\"\(r.failed ? " font-weight=\"bold\"" : "")>\(r.durationText)</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
