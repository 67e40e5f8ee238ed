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

    @Option(name: .customLong("junit-xml"), help: "Also write the checks as JUnit XML to this file.")
    var junitXML: String?

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            let url = try resolveEndpoint()
            guard (1...10_000).contains(requests) else { throw UsageFailure("--requests \(requests) is outside 1 to 10000") }
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
    static func runAndReport(_ options: SmokeTest.Options, format: OutputFormat, junitXML: String?) throws {
        do { try CurlTransport.checkEnvironment(ProcessInfo.processInfo.environment) } catch {
            throw OperationFailure(error.description)
        }
        if let junitXML { try checkOutputFile(junitXML) }
        let report = SmokeTest(options: options, transport: CurlTransport(timeouts: .init(connectMs: 3_000, totalMs: 30_000))).run()
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
