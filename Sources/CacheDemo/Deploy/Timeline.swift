import AWS
import Foundation

/// Where an operation's minutes went: one row per resource, from its first *_IN_PROGRESS to
/// its last *_COMPLETE or *_FAILED, read from the stack's events, with the critical path
/// marked (the chain of resources each of which could only start once the one before it
/// finished, ending with the last to finish).
public struct Timeline: Sendable {
    public struct Row: Sendable, Equatable {
        public let logicalId: String
        public let type: String
        /// Seconds from the operation's start.
        public let start: Double
        public let end: Double
        public let status: String
        public var critical = false
        public var duration: Double { end - start }
        public var failed: Bool { status.hasSuffix("_FAILED") }
    }

    public let operation: String
    /// When the operation began (its first stack event).
    public let started: Date
    public let rows: [Row]
    /// From the stack's first *_IN_PROGRESS to its last event.
    public let total: Double

    /// The latest operation in `events`, newest first as DescribeStackEvents lists them:
    /// from the stack-level event that began it.
    public init?(events: [CloudFormationClient.Event]) {
        let stackType = "AWS::CloudFormation::Stack"
        // Oldest first; events of one instant keep the order CloudFormation listed them in.
        let sorted = Array(events.reversed().enumerated()).sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
            .map(\.element)
        let starts = ["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS"]
        guard let begin = sorted.last(where: { $0.type == stackType && starts.contains($0.status) }) else { return nil }
        let t0 = begin.timestamp
        started = t0
        let events = sorted.filter { $0.timestamp >= t0 }
        operation = String(begin.status.prefix { $0 != "_" })
        var rows: [String: Row] = [:]
        var order: [String] = []
        var finished: Set<String> = []
        for e in events where e.type != stackType && !finished.contains(e.logicalId) {
            // A row ends at its first COMPLETE or FAILED: what follows (a rollback's delete, the
            // cleanup of a replaced resource's old copy) is not this resource's own work.
            let at = e.timestamp.timeIntervalSince(t0)
            let ends = e.status.hasSuffix("_COMPLETE") || e.status.hasSuffix("_FAILED")
            if ends { finished.insert(e.logicalId) }
            if let r = rows[e.logicalId] {
                rows[e.logicalId] = Row(logicalId: r.logicalId, type: r.type, start: r.start, end: at, status: e.status)
            } else {
                order.append(e.logicalId)
                rows[e.logicalId] = Row(logicalId: e.logicalId, type: e.type, start: at, end: at, status: e.status)
            }
        }
        total = (events.last?.timestamp ?? t0).timeIntervalSince(t0)
        // Earliest start first; a tie keeps the order the events came in.
        self.rows = Self.markCritical(order.compactMap { rows[$0] }.enumerated()
            .sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element))
    }

    /// Backwards from the last resource to finish: each step, the resource that finished
    /// last no later than this one started (what it was waiting for).
    static func markCritical(_ rows: [Row]) -> [Row] {
        var rows = rows
        guard var at = rows.indices.max(by: { rows[$0].end < rows[$1].end }) else { return rows }
        while true {
            rows[at].critical = true
            let start = rows[at].start
            guard let previous = rows.indices.filter({ !rows[$0].critical && rows[$0].end <= start + 0.0005 })
                .max(by: { rows[$0].end < rows[$1].end }) else { break }
            at = previous
        }
        return rows
    }

    public var jsonObject: [String: Any] {
        ["operation": operation, "totalSeconds": Self.round(total),
         "resources": rows.map { ["logicalId": $0.logicalId, "type": $0.type, "startSeconds": Self.round($0.start),
                                  "durationSeconds": Self.round($0.duration), "status": $0.status, "critical": $0.critical] as [String: Any] }]
    }

    static func round(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
}

/// The timeline as a terminal chart: block characters in the terminal's width, the
/// critical path in solid blocks (and red when colour is on), the rest shaded.
public enum TimelineChart {
    /// Each line fits `width` (from 30 columns up): long ids are cut, the bars share the rest.
    public static func text(_ t: Timeline, width: Int, color: Bool) -> String {
        let width = max(width, 30)
        let suffix = t.rows.contains(where: \.failed) ? 7 : 0  // " FAILED"
        var name = min(max(t.rows.map(\.logicalId.count).max() ?? 8, 8), 36, width / 3)
        var bar = width - name - 10 - suffix  // 10: two spaces and the 8-wide duration
        if bar < 4 { (name, bar) = (name - (4 - bar), 4) }
        let scale = t.total > 0 ? Double(bar) / t.total : 0
        func seconds(_ v: Double) -> String { v >= 100 ? String(format: "%.0f s", v) : String(format: "%.1f s", v) }
        var lines = ["\(t.operation.lowercased()) timeline, \(seconds(t.total)) in all (█ critical path)"]
        for r in t.rows {
            let from = min(bar - 1, Int((r.start * scale).rounded(.down)))
            let length = max(1, min(bar - from, Int((r.duration * scale).rounded())))
            let block = String(repeating: r.critical ? "█" : "▒", count: length)
            let painted = color && r.critical ? "\u{1B}[31m\(block)\u{1B}[0m" : block
            let id = r.logicalId.count > name ? String(r.logicalId.prefix(name - 1)) + "…" : r.logicalId
            lines.append(id.padding(toLength: name, withPad: " ", startingAt: 0) + " "
                + String(repeating: " ", count: from) + painted + String(repeating: " ", count: bar - from - length)
                + " " + seconds(r.duration).leftPadded(to: 8) + (r.failed ? " FAILED" : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
