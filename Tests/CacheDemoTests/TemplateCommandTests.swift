import Foundation
import Testing
import TestSupport

/// The command as a user runs it: the built binary, its output and exit codes.
@Suite struct TemplateCommandTests {
    @Test func printsYamlByDefaultAndJsonOnRequest() throws {
        let yaml = try cachedemo("template")
        #expect(yaml.status == 0)
        #expect(yaml.stdout.hasPrefix("AWSTemplateFormatVersion: '2010-09-09'"))
        let json = try cachedemo("template", "--multi-az", "--format", "json")
        #expect(json.status == 0)
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(doc?["Resources"] != nil)
    }

    @Test func writesToAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try cachedemo("template", "--output-file", path)
        #expect(r.status == 0 && r.stdout.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == cachedemo("template").stdout)
    }

    @Test(arguments: [
        (["--vpc-cidr", "10.0.0.0/8"], "/16 to /24"),
        (["--vpc-cidr", "banana"], "--vpc-cidr"),
        (["--node-type", "t4g.micro"], "cache.t4g.micro"),
        (["--cache-ttl=-5"], "--cache-ttl"),
        (["--instance-cache-mb=-1"], "--instance-cache-mb"),
        (["--instance-cache-mb", "300"], "half of --memory 512"),
        (["--single-nat"], "--multi-az"),
        (["--log-retention-days", "31"], "retention"),
        (["--memory", "64"], "--memory"),
        (["--runtime", "python3.12"], "nodejs24.x"),
        (["--upstream-url", "ftp://x"], "--upstream-url"),
    ])
    func badValuesGiveOneLineAndExit64(_ args: [String], _ mention: String) throws {
        let r = try run(Repo.binary, ["template"] + args)
        #expect(r.status == 64)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(r.stderr)")
        #expect(r.stderr.contains(mention))
    }

    @Test func unknownFlagsAreUsageErrors() throws {
        let r = try cachedemo("template", "--no-such-flag")
        #expect(r.status == 64)
        #expect(r.stderr.contains("--no-such-flag"))
        let badEngine = try cachedemo("template", "--engine", "memcached")
        #expect(badEngine.status == 64)
    }

    @Test func helpAndVersion() throws {
        let version = try cachedemo("--version")
        #expect(version.status == 0 && !version.stdout.isEmpty)
        let help = try cachedemo("help", "template")
        #expect(help.status == 0)
        for flag in ["--multi-az", "--engine", "--node-type", "--cache-ttl", "--instance-cache-mb", "--vpc-cidr",
                     "--single-nat", "--format"] {
            #expect(help.stdout.contains(flag))
        }
    }
}
