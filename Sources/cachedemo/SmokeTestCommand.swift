import AWS
import ArgumentParser
import CacheDemo
import Foundation

struct SmokeTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke-test",
        abstract: "Call a cache endpoint: a MISS, then a HIT with the same body, errors not cached, hit latencies.",
        discussion: "Exit code 0 only when every check passes; 1 otherwise, naming the failed check.\n\nExamples:\n  cachedemo smoke-test --stack-name cache-prod\n  cachedemo smoke-test --endpoint http://127.0.0.1:3000 --error-path /missing --junit-xml report.xml"
    )

    @OptionGroup var cache: CacheEndpointOption
    @OptionGroup var aws: AWSOptions

    @Option(help: "Path and query to call; a cache-busting parameter is added.")
    var path = "/?name=cachedemo"

    @Option(name: .customLong("error-path"), help: "A path the upstream answers with an error, to check it is not cached.")
    var errorPath: String?

    @Option(help: "How many HIT requests to time.")
    var requests = 20

    @Option(name: .customLong("junit-xml"), help: "Also write the checks as JUnit XML to this file.", completion: .file(extensions: ["xml"]))
    var junitXML: String?

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            // Flags first, then AWS: a bad flag is said before any stack is looked up.
            guard (1...10_000).contains(requests) else { throw UsageFailure("--requests \(requests) is outside 1 to 10000") }
            try SmokeTestReporting.checkPath(path, flag: "--path")
            if let errorPath { try SmokeTestReporting.checkPath(errorPath, flag: "--error-path") }
            try SmokeTestReporting.checkBeforeRunning(junitXML: junitXML)
            let url = try resolveEndpoint()
            var options = SmokeTest.Options(endpoint: url)
            options.path = path
            options.errorPath = errorPath
            options.hitRequests = requests
            try SmokeTestReporting.runAndReport(options, format: output.format, junitXML: junitXML)
        }
    }
}

extension SmokeTestCommand {
    /// --endpoint as given, or the ApiEndpoint output of --stack-name.
    func resolveEndpoint() throws -> URL {
        switch try cache.target() {
        case .url(let url): return url
        case .stack(let name):
            let url = try CacheEndpointOption.apiEndpoint(ofStack: name, session: try aws.session())
            progress("smoke-testing \(url.absoluteString) (\(CacheStack.OutputName.apiEndpoint) of stack \(name))")
            return url
        }
    }
}

/// Runs the smoke test and prints its table or JSON; shared with `local --smoke-test`.
enum SmokeTestReporting {
    /// What can fail before a single call: the proxy and CA settings, the report's path.
    static func checkBeforeRunning(junitXML: String?) throws {
        do { try CurlTransport.checkEnvironment(ProcessInfo.processInfo.environment) } catch {
            throw OperationFailure(error.description)
        }
        if let junitXML { try checkOutputFile(junitXML) }
    }

    /// A path and query to call, as a request line carries it: from `/`, printable, one line.
    static func checkPath(_ path: String, flag: String) throws {
        guard path.hasPrefix("/"), path.count <= 2048, path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0 != "\u{7F}" }) else {
            throw UsageFailure("\(flag) \(UserInput.quoted(path)) is not a path: start it with /, no spaces or control "
                + "characters (percent-encode them), at most 2048 characters")
        }
    }

    /// Runs the checks; `checkBeforeRunning` has been called. Nothing is reported when
    /// `stopped` says the run was cut short.
    static func runAndReport(_ options: SmokeTest.Options, format: OutputFormat, junitXML: String?,
                             stopped: () -> Bool = { false }) throws {
        let report = SmokeTest(options: options, transport: CurlTransport(timeouts: .init(connectMs: 3_000, totalMs: 30_000)),
                               progress: { progress($0) }).run()
        if stopped() { return }
        if let junitXML { try writeOutputFile(Data(report.junitXML().utf8), to: junitXML) }
        switch format {
        case .json:
            var o = report.jsonObject
            o["endpoint"] = options.endpoint.absoluteString
            printJSON(o)
        case .text:
            say("smoke test of \(options.endpoint.absoluteString)")
            for c in report.checks { say("  \(c.passed ? "ok  " : "FAIL")  \(c.name)  (\(c.detail))") }
            func ms(_ v: Double?) -> String { v.map { String(format: "%8.2f ms", $0) } ?? "       n/a" }
            say("")
            say("  latency")
            say("  miss          \(ms(report.missMs))")
            say("  hit p50       \(ms(report.hitP50))")
            say("  hit p95       \(ms(report.hitP95))")
            say("")
            say("  instance copy: \(report.instanceCopySummary)")
        }
        if let failed = report.checks.first(where: { !$0.passed }) {
            throw OperationFailure("smoke test failed: \(failed.name) (\(failed.detail))")
        }
    }
}
