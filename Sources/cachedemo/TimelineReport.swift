import AWS
import ArgumentParser
import CacheDemo
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `--timeline-svg FILE`, shared by deploy, destroy and status.
struct TimelineOption: ParsableArguments {
    @Option(name: .customLong("timeline-svg"), help: "Also write the operation's per-resource timeline as SVG to this file.",
            completion: .file(extensions: ["svg"]))
    var svgPath: String?

    /// Before the operation, so a path that cannot be written fails first, not last.
    func checkPath() throws {
        if let svgPath { try checkOutputFile(svgPath) }
    }
}

/// The per-resource timeline of a stack's latest operation, after deploy and destroy and on
/// `status --timeline`: a chart on stdout in text mode, a `timeline` key in JSON.
enum TimelineReport {
    /// The latest operation's timeline; with `token`, the latest of the operations this
    /// command ran (none: it changed nothing, so there is no timeline of its own to show).
    static func fetch(_ session: AWSSession, stack: String, token: String? = nil) -> Timeline? {
        guard let events = try? CloudFormationClient(client: session.client).describeStackEvents(stack) else { return nil }
        return Timeline(events: events.filter { StackWatcher.isOwn($0, token: token) })
    }

    /// `--timeline-svg` given, but the command ran no stack operation to draw.
    static func sayNoneWritten(to path: String?) {
        if let path { progress("no stack operation ran, so no timeline was written to \(path)") }
    }

    /// Prints the chart (text) and writes the SVG if asked; JSON callers take `jsonObject`.
    static func show(_ t: Timeline?, format: OutputFormat, svgPath: String?) throws {
        guard let t, !t.rows.isEmpty else {
            if svgPath != nil || format == .text { progress("no per-resource events to draw a timeline from") }
            return
        }
        if format == .text { say("\n" + TimelineChart.text(t, width: terminalWidth, color: colorWanted(on: STDOUT_FILENO))) }
        if let svgPath { try writeOutputFile(Data(TimelineLayout(t).svg().utf8), to: svgPath) }
    }

    static var terminalWidth: Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
    }
}
