import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// Where a deploy's time went, from the stack's events: rows, the critical path, the chart
/// in the terminal's width, and the SVG checked like the diagram.
@Suite struct TimelineTests {
    /// A create as CloudFormation reports it: the VPC, then a subnet, then the cache (the long
    /// pole); meanwhile the role and the function. An earlier operation's events come first.
    static func events() -> [CloudFormationClient.Event] {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var out: [CloudFormationClient.Event] = []
        func e(_ at: Double, _ id: String, _ type: String, _ status: String) {
            out.append(.init(id: UUID().uuidString, timestamp: t0.addingTimeInterval(at), logicalId: id, physicalId: nil,
                             type: type, status: status, reason: nil))
        }
        e(-100, "s", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS")  // an earlier operation
        e(-90, "Old", "AWS::SNS::Topic", "CREATE_COMPLETE")
        e(0, "s", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS")
        for (id, type, start, end) in [("Vpc", "AWS::EC2::VPC", 0.0, 10.0), ("Subnet", "AWS::EC2::Subnet", 10, 15),
                                       ("Cache", "AWS::ElastiCache::ReplicationGroup", 15, 300), ("Role", "AWS::IAM::Role", 0, 20),
                                       ("Function", "AWS::Lambda::Function", 20, 40)] {
            e(start, id, type, "UPDATE_IN_PROGRESS")
            e(end, id, type, "UPDATE_COMPLETE")
        }
        e(301, "s", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE")
        return out.reversed()  // newest first, as DescribeStackEvents answers
    }

    @Test func rowsAndTheCriticalPathComeFromTheLatestOperation() throws {
        let t = try #require(Timeline(events: Self.events()))
        #expect(t.operation == "UPDATE" && t.total == 301)
        #expect(t.rows.map(\.logicalId) == ["Vpc", "Role", "Subnet", "Cache", "Function"])
        #expect(t.rows.first { $0.logicalId == "Cache" }?.duration == 285)
        #expect(Set(t.rows.filter(\.critical).map(\.logicalId)) == ["Vpc", "Subnet", "Cache"])
        let json = t.jsonObject
        #expect((json["resources"] as? [[String: Any]])?.count == 5 && json["totalSeconds"] as? Double == 301)
    }

    /// A create that failed: the failed resource's row ends where it failed (the rollback's
    /// delete that follows is not its work) and says FAILED; long ids still fit a narrow terminal.
    @Test func aFailedResourceEndsWhereItFailedAndSaysSo() throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let long = "AVeryLongLogicalResourceIdentifierThatGoesOn"
        let script: [(Double, String, String)] = [(0, "s", "CREATE_IN_PROGRESS"), (0, long, "CREATE_IN_PROGRESS"),
                                                   (5, "Cache", "CREATE_IN_PROGRESS"), (20, "Cache", "CREATE_FAILED"),
                                                   (21, long, "CREATE_COMPLETE"), (22, "s", "ROLLBACK_IN_PROGRESS"),
                                                   (30, "Cache", "DELETE_COMPLETE"), (40, "s", "ROLLBACK_COMPLETE")]
        let events = script.map { at, id, status in
            CloudFormationClient.Event(id: UUID().uuidString, timestamp: t0.addingTimeInterval(at), logicalId: id, physicalId: nil,
                                       type: id == "s" ? "AWS::CloudFormation::Stack" : "AWS::ElastiCache::ReplicationGroup",
                                       status: status, reason: nil)
        }.reversed()
        let t = try #require(Timeline(events: Array(events)))
        let cache = try #require(t.rows.first { $0.logicalId == "Cache" })
        #expect(cache.failed && cache.start == 5 && cache.end == 20)
        for width in [30, 50, 80] {
            let chart = TimelineChart.text(t, width: width, color: false)
            for line in chart.split(separator: "\n").dropFirst() { #expect(line.count <= width, "\(width): \(line)") }
            #expect(chart.contains(" FAILED"))
        }
        #expect(TimelineLayout(t).svg().contains("FAILED"))
    }

    @Test(arguments: [60, 100, 160])
    func theChartFitsTheTerminalAndMarksTheCriticalPath(_ width: Int) throws {
        let t = try #require(Timeline(events: Self.events()))
        let plain = TimelineChart.text(t, width: width, color: false)
        let lines = plain.split(separator: "\n").dropFirst()
        #expect(lines.count == 5)
        for line in lines { #expect(line.count <= width, "\(line.count) > \(width): \(line)") }
        #expect(lines.first { $0.hasPrefix("Cache ") }?.contains("█") == true)
        #expect(lines.first { $0.hasPrefix("Function ") }?.contains("█") == false)
        #expect(!plain.contains("\u{1B}["))
        #expect(TimelineChart.text(t, width: width, color: true).contains("\u{1B}[31m"))
    }

    @Test func theSVGRendersAtItsSizeWithNothingOverlapping() throws {
        let layout = TimelineLayout(try #require(Timeline(events: Self.events())))
        let texts = [layout.titleRect] + layout.rows.flatMap { [$0.nameRect, $0.durationRect] }
        for (i, a) in texts.enumerated() { for b in texts[(i + 1)...] { #expect(!a.intersects(b)) } }
        for r in layout.rows {
            #expect(r.bar.x > r.nameRect.right && r.bar.right < r.durationRect.x, "\(r.name)'s bar runs into a text")
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("t.svg")
        try OutputFile.write(Data(layout.svg().utf8), to: svg.path)
        let (width, height) = try renderedSize(ofSVG: svg)
        #expect(width == Int(layout.width.rounded(.up)) && height == Int(layout.height.rounded(.up)))
    }
}

/// On the emulator (whose plugin records each resource's events, as CloudFormation does).
@Suite(.serialized) struct TimelineDeployTests {
    let emulator = Emulator.shared
    func run(_ args: [String]) throws -> ProcessResult { try cachedemo(args, environment: emulator.environment) }

    @Test func deployStatusAndDestroyShowWhereTheTimeWent() throws {
        let stack = "timeline-\(UUID().uuidString.prefix(6).lowercased())"
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("deploy.svg")
        let deployed = try run(["deploy", "--stack-name", stack, "--output", "json", "--timeline-svg", svg.path])
        #expect(deployed.status == 0, "\(deployed.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(deployed.stdout.utf8)) as? [String: Any])
        let timeline = try #require(doc["timeline"] as? [String: Any])
        #expect(timeline["operation"] as? String == "CREATE")
        #expect((timeline["resources"] as? [Any])?.count == (try CacheStack(options: StackOptions()).template().resources.count))
        #expect(try renderedSize(ofSVG: svg).width > 0)

        // Nothing to do: no operation ran, and the SVG asked for is not written, said so.
        let idle = dir.appendingPathComponent("idle.svg")
        let unchanged = try run(["deploy", "--stack-name", stack, "--timeline-svg", idle.path])
        #expect(unchanged.status == 0 && unchanged.stderr.contains("no stack operation ran"))
        #expect(!FileManager.default.fileExists(atPath: idle.path))

        let status = try run(["status", "--stack-name", stack, "--timeline"])
        #expect(status.stdout.contains("create timeline, ") && status.stdout.contains("Cache "))
        let destroyed = try run(["destroy", "--stack-name", stack, "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(destroyed.stdout.contains("delete timeline, "), "\(destroyed.stdout)")
    }
}
