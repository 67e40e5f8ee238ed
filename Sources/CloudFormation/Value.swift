/// A CloudFormation value: a literal or an intrinsic function.
///
/// Property structs use `Value` wherever CloudFormation accepts an intrinsic, so
/// a reference to another resource is written the same way as a literal.
public indirect enum Value: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([Value])
    case map([String: Value])
    case ref(String)
    case getAtt(String, String)
    case sub(String, [String: Value])
    case join(String, [Value])
    case select(Int, Value)
    case getAZs(Value)
    case `if`(String, Value, Value)
    case equals(Value, Value)
    case split(String, Value)
    /// `Fn::Cidr`: `count` blocks with `bits` host bits each, carved from `block`.
    case cidr(Value, Int, Int)
    /// `Fn::Base64`, for EC2 user data.
    case base64(Value)

    /// `!Ref AWS::Region` and friends.
    public static func pseudo(_ p: PseudoParameter) -> Value { .ref(p.rawValue) }
    /// `!Sub` without a variable map.
    public static func sub(_ s: String) -> Value { .sub(s, [:]) }
    /// `!Ref AWS::NoValue`, to drop a property inside `Fn::If`.
    public static let noValue: Value = .ref("AWS::NoValue")
}

/// The pseudo parameters CloudFormation defines in every template.
public enum PseudoParameter: String, CaseIterable, Sendable {
    case region = "AWS::Region"
    case stackName = "AWS::StackName"
    case stackId = "AWS::StackId"
    case accountId = "AWS::AccountId"
    case partition = "AWS::Partition"
    case urlSuffix = "AWS::URLSuffix"
    case noValue = "AWS::NoValue"
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// A key that is written exactly as given (map keys, function names), as opposed to
/// property names, which the renderer turns from camelCase into PascalCase.
struct VerbatimKey: CodingKey {
    let stringValue: String
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

extension Value: Encodable {
    public func encode(to encoder: Encoder) throws {
        encoder.referenceCollector?.collect(self)
        switch self {
        case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
        case .int(let i): var c = encoder.singleValueContainer(); try c.encode(i)
        case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
        case .list(let items): var c = encoder.unkeyedContainer(); for v in items { try c.encode(v) }
        case .map(let m):
            var c = encoder.container(keyedBy: VerbatimKey.self)
            for key in m.keys.sorted() { try c.encode(m[key]!, forKey: VerbatimKey(key)) }
        case .ref(let name): try Self.function("Ref", name, encoder)
        case .getAtt(let name, let attribute): try Self.function("Fn::GetAtt", [name, attribute], encoder)
        case .sub(let s, let vars):
            if vars.isEmpty {
                try Self.function("Fn::Sub", s, encoder)
            } else {
                try Self.function("Fn::Sub", [Value.string(s), Value.map(vars)], encoder)
            }
        case .join(let sep, let items): try Self.function("Fn::Join", [Value.string(sep), Value.list(items)], encoder)
        case .select(let i, let list): try Self.function("Fn::Select", [Value.int(i), list], encoder)
        case .getAZs(let region): try Self.function("Fn::GetAZs", region, encoder)
        case .if(let cond, let a, let b): try Self.function("Fn::If", [Value.string(cond), a, b], encoder)
        case .equals(let a, let b): try Self.function("Fn::Equals", [a, b], encoder)
        case .split(let sep, let v): try Self.function("Fn::Split", [Value.string(sep), v], encoder)
        case .cidr(let block, let count, let bits): try Self.function("Fn::Cidr", [block, Value.int(count), Value.int(bits)], encoder)
        case .base64(let v): try Self.function("Fn::Base64", v, encoder)
        }
    }

    /// Writes `{ "Fn::Name": argument }`.
    private static func function<T: Encodable>(_ name: String, _ argument: T, _ encoder: Encoder) throws {
        var c = encoder.container(keyedBy: VerbatimKey.self)
        try c.encode(argument, forKey: VerbatimKey(name))
    }
}
