import CloudFormation
import Foundation

/// What an update will replace rather than change, said before the change set is executed.
/// AWS's change set says "Replacement: True" too, but not why or what it costs; the emulator
/// does not say it at all. Read from the deployed template against the new one.
enum UpdateWarnings {
    /// Create-only properties of the stack's types that a cachedemo version may change
    /// (from each type's CloudFormation schema), and what replacing the resource costs.
    static let createOnly: [String: (properties: [String], cost: String)] = [
        "AWS::Logs::LogGroup": (["LogGroupName"], "a new log group; the old one is deleted with the logs in it"),
        "AWS::EC2::SecurityGroup": (["GroupDescription", "GroupName", "VpcId"],
                                    "a new security group; the function's network interfaces move to it, and calls in flight "
                                        + "during the switch may fail"),
    ]

    static func notes(deployed body: String, new template: Template) -> [String] {
        guard let doc = DeployedTemplate.parse(body),
              let old = doc["Resources"] as? [String: Any],
              let rendered = try? template.rendered(as: .json),
              let newDoc = try? JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any],
              let new = newDoc["Resources"] as? [String: Any]
        else { return [] }
        var notes: [String] = []
        for id in new.keys.sorted() {
            guard let now = new[id] as? [String: Any], let before = old[id] as? [String: Any],
                  let type = now["Type"] as? String, type == before["Type"] as? String,
                  let rule = createOnly[type] else { continue }
            let a = before["Properties"] as? [String: Any] ?? [:], b = now["Properties"] as? [String: Any] ?? [:]
            let changed = rule.properties.filter { !same(a[$0], b[$0]) }
            guard !changed.isEmpty else { continue }
            notes.append("\(id) (\(type)) will be replaced (\(changed.joined(separator: ", ")) cannot change in place): \(rule.cost)")
        }
        return notes
    }

    private static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return NSDictionary(dictionary: ["v": x]).isEqual(to: ["v": y])
        default: return false
        }
    }
}
