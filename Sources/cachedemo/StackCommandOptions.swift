import ArgumentParser
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
