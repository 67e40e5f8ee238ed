import AWS
import ArgumentParser
import CacheDemo
import Foundation

struct SmokeTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke-test",
        abstract: "Call a cache endpoint: a MISS, then a HIT with the same body, errors not cached, hit latencies.",
        discussion: "Exit code 0 only when every check passes; 1 otherwise, naming the failed check."
    )

    @Option(help: "The endpoint URL, e.g. http://127.0.0.1:3000 or the stack's ApiEndpoint.")
    var endpoint: String?

    @Option(name: .customLong("stack-name"), help: "Read the endpoint from this stack's ApiEndpoint output instead.")
    var stackName: String?

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
            let endpoint = try resolveEndpoint()
            let url = try httpURL(endpoint, flag: "--endpoint")
            guard requests >= 1 else { throw UsageFailure("--requests must be at least 1") }
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
    func resolveEndpoint() throws -> String {
        switch (endpoint, stackName) {
        case (let e?, nil): return e
        case (nil, let name?):
            let session = try aws.session()
            let stack = try runStackOperation { try CloudFormationClient(client: session.client).describeStack(name) }
            guard let stack else {
                throw OperationFailure("stack \(name) does not exist in \(session.region); deploy it first or pass --endpoint")
            }
            guard let url = stack.outputs[CacheStack.OutputName.apiEndpoint] else {
                throw OperationFailure("stack \(name) (\(stack.status)) has no \(CacheStack.OutputName.apiEndpoint) output")
            }
            progress("smoke-testing \(url) (\(CacheStack.OutputName.apiEndpoint) of stack \(name))")
            return url
        case (nil, nil): throw UsageFailure("give --endpoint URL or --stack-name NAME")
        case (_?, _?): throw UsageFailure("give --endpoint or --stack-name, not both")
        }
    }
}

/// Runs the smoke test and prints its table or JSON; shared with `local --smoke-test`.
enum SmokeTestReporting {
    static func runAndReport(_ options: SmokeTest.Options, format: OutputFormat, junitXML: String?) throws {
        let report = SmokeTest(options: options, transport: CurlTransport(timeouts: .init(connectMs: 3_000, totalMs: 30_000))).run()
        if let junitXML {
            do { try report.junitXML().write(toFile: junitXML, atomically: true, encoding: .utf8) } catch {
                throw OperationFailure("cannot write \(junitXML): \(error.localizedDescription)")
            }
        }
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
            say("  latency           ")
            say("  miss          \(ms(report.missMs))")
            say("  hit p50       \(ms(report.hitP50))")
            say("  hit p95       \(ms(report.hitP95))")
        }
        if let failed = report.checks.first(where: { !$0.passed }) {
            throw OperationFailure("smoke test failed: \(failed.name) (\(failed.detail))")
        }
    }
}
