/// Collects the names a template refers to while it is encoded, so the renderer
/// can check that each one is defined without walking the model twice.
final class ReferenceCollector: @unchecked Sendable {
    /// Where the values being encoded now sit, for error messages ("resource Cache").
    var owner = "template"
    private(set) var refs: [(String, [String])] = []
    private(set) var getAtts: [(String, [String])] = []
    private(set) var conditions: [(String, [String])] = []

    func collect(_ value: Value) {
        switch value {
        case .ref(let name): refs.append((owner, [name]))
        case .getAtt(let name, _): getAtts.append((owner, [name]))
        case .if(let cond, _, _): conditions.append((owner, [cond]))
        case .sub(let s, let vars): refs.append((owner, Self.subVariables(s).filter { vars[$0] == nil }))
        default: break
        }
    }

    func condition(_ name: String) { conditions.append((owner, [name])) }

    /// The names `${Name}` and `${Name.Attribute}` in a `Fn::Sub` string, skipping `${!Literal}`.
    static func subVariables(_ s: String) -> [String] {
        var names: [String] = []
        var rest = Substring(s)
        while let open = rest.range(of: "${") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "}") else { break }
            let body = rest[..<close]
            rest = rest[rest.index(after: close)...]
            if body.hasPrefix("!") { continue }
            let name = body.split(separator: ".", maxSplits: 1).first.map(String.init) ?? String(body)
            names.append(body.hasPrefix("AWS::") ? String(body) : name)
        }
        return names
    }
}

extension CodingUserInfoKey {
    static let referenceCollector = CodingUserInfoKey(rawValue: "cloudformation.references")!
}

extension Encoder {
    var referenceCollector: ReferenceCollector? { userInfo[.referenceCollector] as? ReferenceCollector }
}
