import AWS
import ArgumentParser
import CacheDemo
import Foundation

/// `--stack-name`, shared by deploy, status, destroy and smoke-test.
struct StackNameOption: ParsableArguments {
    @Option(name: .customLong("stack-name"), help: "The CloudFormation stack.")
    var stackName = "cachedemo"

    func validated() throws -> String {
        let ok = stackName.count <= 128 && stackName.range(of: "^[A-Za-z][-A-Za-z0-9]*$", options: .regularExpression) != nil
        guard ok else {
            throw UsageFailure("--stack-name '\(stackName)' is not a stack name: start with a letter; letters, digits and '-' only, at most 128")
        }
        return stackName
    }
}

/// Parses `KEY=VALUE` pairs (--parameter-overrides, --tags).
func keyValuePairs(_ items: [String], flag: String) throws -> [String: String] {
    var out: [String: String] = [:]
    for item in items {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw UsageFailure("\(flag) takes KEY=VALUE pairs; '\(item)' has no '='")
        }
        out[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    return out
}

/// `--wait-timeout`, shared by deploy and destroy: how long to follow the stack operation.
/// (`--timeout` is the function's timeout, a stack option.)
struct WaitTimeoutOption: ParsableArguments {
    @Option(name: .customLong("wait-timeout"),
            help: "Stop waiting after this many minutes (the stack operation goes on). --timeout is the function's timeout.")
    var minutes: Double?

    /// In seconds; a bound that is not positive is a usage error.
    func seconds() throws -> TimeInterval? {
        guard let minutes else { return nil }
        guard minutes > 0 else { throw UsageFailure("--wait-timeout must be a positive number of minutes") }
        return minutes * 60
    }
}

/// An http(s) URL given as a flag's value, or a usage error naming the flag.
func httpURL(_ text: String, flag: String) throws -> URL {
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
          url.host != nil
    else { throw UsageFailure("\(flag) '\(text)' is not an http(s) URL") }
    return url
}

/// Where a cache is: `--endpoint URL`, or `--stack-name NAME` for that stack's ApiEndpoint
/// output. Shared by smoke-test and invalidate.
struct CacheEndpointOption: ParsableArguments {
    @Option(help: "The cache's URL, e.g. http://127.0.0.1:3000 (`cachedemo local`) or a stack's ApiEndpoint.")
    var endpoint: String?

    @Option(name: .customLong("stack-name"), help: "Use this stack's ApiEndpoint output as the cache's URL.")
    var stackName: String?

    enum Target {
        case url(URL)
        case stack(String)
    }

    /// Exactly one of the two, the URL checked.
    func target() throws -> Target {
        switch (endpoint, stackName) {
        case (let e?, nil): return .url(try httpURL(e, flag: "--endpoint"))
        case (nil, let name?): return .stack(name)
        case (nil, nil): throw UsageFailure("give --endpoint URL or --stack-name NAME")
        case (_?, _?): throw UsageFailure("give --endpoint or --stack-name, not both")
        }
    }

    /// The stack's ApiEndpoint output, or one line saying why there is none.
    static func apiEndpoint(ofStack name: String, session: AWSSession) throws -> URL {
        let stack = try runAWSOperation { try CloudFormationClient(client: session.client).describeStack(name) }
        guard let stack else {
            throw OperationFailure("stack \(name) does not exist in \(session.region); deploy it first or pass --endpoint")
        }
        guard let url = stack.outputs[CacheStack.OutputName.apiEndpoint].flatMap(URL.init(string:)) else {
            throw OperationFailure("stack \(name) (\(stack.status)) has no \(CacheStack.OutputName.apiEndpoint) output")
        }
        return url
    }
}
