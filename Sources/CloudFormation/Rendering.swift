import Foundation
import Yams

public enum TemplateFormat: String, CaseIterable, Sendable {
    case yaml, json
}

public enum TemplateError: Error, Equatable, CustomStringConvertible {
    case danglingReference(kind: String, name: String, in: String)
    case duplicateLogicalId(String)

    public var description: String {
        switch self {
        case .danglingReference(let kind, let name, let owner):
            return "\(kind) '\(name)' in \(owner) names nothing defined in the template"
        case .duplicateLogicalId(let id): return "logical id '\(id)' is defined twice"
        }
    }
}

extension Template {
    /// Checks every reference, then renders. Same template, same bytes: keys are sorted.
    public func rendered(as format: TemplateFormat) throws -> String {
        let json = try renderJSON()
        switch format {
        case .json: return json
        case .yaml:
            guard let node = try Yams.compose(yaml: json) else { return "" }
            return try Yams.serialize(node: node.plainScalars(), width: -1, sortKeys: true)
        }
    }

    private func renderJSON() throws -> String {
        let collector = ReferenceCollector()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .custom { path in
            let last = path.last!
            if last is VerbatimKey || last.intValue != nil { return last }
            return VerbatimKey(last.stringValue.prefix(1).uppercased() + last.stringValue.dropFirst())
        }
        encoder.userInfo[.referenceCollector] = collector
        let data = try encoder.encode(self)
        try validate(collector)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func validate(_ collector: ReferenceCollector) throws {
        var ids = Set<String>()
        for r in resources where !ids.insert(r.logicalId).inserted { throw TemplateError.duplicateLogicalId(r.logicalId) }
        let pseudo = Set(PseudoParameter.allCases.map(\.rawValue))
        for (owner, names) in collector.refs {
            for name in names where !ids.contains(name) && parameters[name] == nil && !pseudo.contains(name) {
                throw TemplateError.danglingReference(kind: "Ref", name: name, in: owner)
            }
        }
        for (owner, names) in collector.getAtts {
            for name in names where !ids.contains(name) {
                throw TemplateError.danglingReference(kind: "Fn::GetAtt", name: name, in: owner)
            }
        }
        for (owner, names) in collector.conditions {
            for name in names where conditions[name] == nil {
                throw TemplateError.danglingReference(kind: "Condition", name: name, in: owner)
            }
        }
        for r in resources {
            for dep in r.dependsOn where !ids.contains(dep) {
                throw TemplateError.danglingReference(kind: "DependsOn", name: dep, in: "resource \(r.logicalId)")
            }
        }
    }
}

extension Node {
    /// JSON quotes every string; YAML needs quotes only where the plain scalar would
    /// read as something else (`7.1`, `3600`, `2010-09-09`, `yes`), so only those keep them.
    func plainScalars() -> Node {
        switch self {
        case .scalar(var s):
            if s.style == .doubleQuoted {
                let plain = Node.scalar(.init(s.string, Yams.Tag(.implicit), .plain))
                s.style = Resolver.default.resolveTag(of: plain) == .str ? .any : .singleQuoted
            }
            return .scalar(s)
        case .mapping(var m):
            m = Node.Mapping(m.map { ($0.plainScalars(), $1.plainScalars()) }, m.tag, .block)
            return .mapping(m)
        case .sequence(var seq):
            seq = Node.Sequence(seq.map { $0.plainScalars() }, seq.tag, .block)
            return .sequence(seq)
        case .alias: return self
        }
    }
}

extension Template: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: VerbatimKey.self)
        try c.encode(formatVersion, forKey: VerbatimKey("AWSTemplateFormatVersion"))
        try c.encodeIfPresent(description, forKey: VerbatimKey("Description"))
        let collector = encoder.referenceCollector
        if !parameters.isEmpty { try c.encode(Section(parameters), forKey: VerbatimKey("Parameters")) }
        if !conditions.isEmpty {
            collector?.owner = "Conditions"
            try c.encode(Section(conditions), forKey: VerbatimKey("Conditions"))
        }
        var resourceSection = c.nestedContainer(keyedBy: VerbatimKey.self, forKey: VerbatimKey("Resources"))
        for r in resources {
            collector?.owner = "resource \(r.logicalId)"
            if let cond = r.condition { collector?.condition(cond) }
            try resourceSection.encode(r, forKey: VerbatimKey(r.logicalId))
        }
        if !outputs.isEmpty {
            var out = c.nestedContainer(keyedBy: VerbatimKey.self, forKey: VerbatimKey("Outputs"))
            for name in outputs.keys.sorted() {
                collector?.owner = "output \(name)"
                try out.encode(outputs[name]!, forKey: VerbatimKey(name))
            }
        }
    }
}

/// A name-to-thing section whose names are written as given.
private struct Section<T: Encodable>: Encodable {
    let items: [String: T]
    init(_ items: [String: T]) { self.items = items }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: VerbatimKey.self)
        for key in items.keys.sorted() { try c.encode(items[key]!, forKey: VerbatimKey(key)) }
    }
}

extension Resource: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: VerbatimKey.self)
        try c.encode(type, forKey: VerbatimKey("Type"))
        try c.encodeIfPresent(condition, forKey: VerbatimKey("Condition"))
        if !dependsOn.isEmpty { try c.encode(dependsOn, forKey: VerbatimKey("DependsOn")) }
        try c.encodeIfPresent(deletionPolicy, forKey: VerbatimKey("DeletionPolicy"))
        try c.encodeIfPresent(updateReplacePolicy, forKey: VerbatimKey("UpdateReplacePolicy"))
        try c.encodeIfPresent(updatePolicy, forKey: VerbatimKey("UpdatePolicy"))
        try properties.encodeAsProperties(into: &c)
    }
}

extension ResourceProperties {
    /// Lets a resource encode its properties through the concrete type behind the existential.
    func encodeAsProperties(into c: inout KeyedEncodingContainer<VerbatimKey>) throws {
        try c.encode(self, forKey: VerbatimKey("Properties"))
    }
}
