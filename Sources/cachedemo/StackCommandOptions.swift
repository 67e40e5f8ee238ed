import AWS
import ArgumentParser
import CacheDemo
import Foundation

/// `--stack-name`, shared by deploy, status and destroy.
struct StackNameOption: ParsableArguments {
    @Option(name: .customLong("stack-name"), help: "The CloudFormation stack.")
    var stackName = "cachedemo"

    func validate() throws { try StackName.check(stackName) }

    func validated() throws -> String {
        try StackName.check(stackName)
        return stackName
    }
}

/// CloudFormation's rule for stack names, checked before any AWS call in every command.
enum StackName {
    static func check(_ name: String) throws {
        let ok = name.count <= 128 && UserInput.matches(name, "[A-Za-z][-A-Za-z0-9]*")
        guard ok else {
            throw ValidationError("--stack-name \(UserInput.quoted(name)) is not a stack name: start with a letter; letters, digits and '-' only, at most 128")
        }
    }
}

/// Parses `KEY=VALUE` pairs (--parameter-overrides, --tags), in order and with repeats, so
/// the caller can refuse a key given twice.
func keyValuePairs(_ items: [String], flag: String) throws -> [(key: String, value: String)] {
    try items.map { item in
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw UsageFailure("\(flag) takes KEY=VALUE pairs; \(UserInput.quoted(item)) has no '='")
        }
        return (String(item[..<eq]), String(item[item.index(after: eq)...]))
    }
}

/// KEY=VALUE pairs as a map; a key given twice is a usage error.
func uniqueKeyValuePairs(_ items: [String], flag: String) throws -> [String: String] {
    var out: [String: String] = [:]
    for (k, v) in try keyValuePairs(items, flag: flag) {
        guard out[k] == nil else { throw UsageFailure("\(flag): \(UserInput.quoted(k)) is given twice; give each key once") }
        out[k] = v
    }
    return out
}

/// `--wait-timeout`, shared by deploy and destroy: how long to follow the stack operation.
/// (`--timeout` is the function's timeout, a stack option.)
struct WaitTimeoutOption: ParsableArguments {
    @Option(name: .customLong("wait-timeout"),
            help: "Stop waiting after this many minutes (the stack operation goes on). --timeout is the function's timeout.",
            transform: DecimalArgument.parse)
    var minutes: Double?

    /// In seconds; a bound that is not positive (or not a number) is a usage error.
    func seconds() throws -> TimeInterval? {
        guard let minutes else { return nil }
        guard minutes.isFinite, minutes > 0, minutes <= 7 * 24 * 60 else {
            throw UsageFailure("--wait-timeout must be a positive number of minutes, at most 10080 (a week)")
        }
        return minutes * 60
    }
}

/// An http(s) URL given as a flag's value, or a usage error naming the flag.
func httpURL(_ text: String, flag: String) throws -> URL {
    guard let url = EndpointResolver.httpURL(text) else {
        throw UsageFailure("\(flag) \(UserInput.quoted(text)) is not an http(s) URL with a host (and a port from 1 to 65535)")
    }
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

    func validate() throws {
        if let stackName { try StackName.check(stackName) }
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
