import AWS
import CloudFormation
import Foundation

/// What the function adds to every upstream request: plain headers (`--upstream-header`)
/// and credentials from a secret store (`--upstream-secret`, `--upstream-secret-query`).
/// A secret's value never appears in the template, the key, a log line or any output.
public struct UpstreamAccess: Sendable, Equatable {
    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// Where a secret's value comes from.
    public enum Source: Sendable, Equatable {
        /// A Secrets Manager secret (name or ARN), all of its SecretString or one JSON key.
        case secretsManager(id: String, jsonKey: String?)
        /// An SSM SecureString parameter, read by the function as it starts (IAM on exactly it).
        case ssm(String)
        /// `local` only: this process's environment variable, or a file's contents.
        case env(String)
        case file(String)

        var isLocalOnly: Bool {
            switch self {
            case .env, .file: return true
            case .secretsManager, .ssm: return false
            }
        }
    }

    public struct Secret: Sendable, Equatable {
        public enum Place: String, Sendable { case header, query }
        public let place: Place
        /// The header name (lowercased) or the query parameter.
        public let name: String
        public let source: Source
    }

    public var headers: [Header] = []
    public var secrets: [Secret] = []

    public init() {}

    /// Each secret has an environment variable of its own (UPSTREAM_SECRET_0...).
    public static let maxSecrets = 5

    /// `Name: value`; a name that carries credentials is refused with where it goes instead.
    public static func header(_ text: String) throws(StackOptionsError) -> Header {
        guard let colon = text.firstIndex(of: ":") else {
            throw .init("--upstream-header \(UserInput.quoted(text)) is not 'Name: value'; use one like 'Accept: application/json'")
        }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard HeaderName.isToken(name) else {
            throw .init("--upstream-header \(UserInput.quoted(String(text[..<colon]))) is not a header name; use one like Accept")
        }
        if HeaderName.isCredential(name) {
            throw .init("--upstream-header \(name) carries a credential, which must not sit in the template; store it in Secrets "
                + "Manager and use --upstream-secret '\(name)=secretsmanager:NAME'")
        }
        if HeaderName.notForwardable.contains(name) {
            throw .init("--upstream-header \(name) is set by the HTTP client itself; drop it")
        }
        guard UserInput.escaped(value) == value, !value.contains("\\") else {
            throw .init("--upstream-header \(name): the value has control characters; give printable text")
        }
        return Header(name: name, value: value)
    }

    /// `Name=SOURCE`, SOURCE `secretsmanager:<name or ARN>[#<json key>]`, `ssm:<parameter>`,
    /// `env:<VAR>` or `file:<path>`.
    public static func secret(_ text: String, place: Secret.Place) throws(StackOptionsError) -> Secret {
        let flag = place == .header ? "--upstream-secret" : "--upstream-secret-query"
        guard let eq = text.firstIndex(of: "=") else {
            throw .init("\(flag) \(UserInput.quoted(text)) is not 'NAME=SOURCE'; use one like 'X-Api-Key=secretsmanager:prod/api-key'")
        }
        let rawName = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let name = place == .header ? rawName.lowercased() : rawName
        let valid = place == .header ? HeaderName.isToken(name) : UserInput.matches(name, #"[A-Za-z0-9._~\-\[\]]+"#)
        guard valid else { throw .init("\(flag): \(UserInput.quoted(rawName)) is not a \(place == .header ? "header" : "query parameter") name") }
        let source = String(text[text.index(after: eq)...])
        guard let colon = source.firstIndex(of: ":") else { throw badSource(flag, source) }
        let kind = source[..<colon], rest = String(source[source.index(after: colon)...])
        guard !rest.isEmpty, UserInput.escaped(rest) == rest else { throw badSource(flag, source) }
        switch kind {
        case "secretsmanager":
            let parts = rest.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            // Secrets Manager names: letters, digits and /_+=.@-; an ARN adds its own colons.
            guard UserInput.matches(parts[0], #"(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}"#),
                  parts.count == 1 || UserInput.matches(parts[1], #"[A-Za-z0-9_.@-]{1,256}"#)
            else { throw badSource(flag, source) }
            return Secret(place: place, name: name, source: .secretsManager(id: parts[0], jsonKey: parts.count == 2 ? parts[1] : nil))
        case "ssm":
            guard UserInput.matches(rest, #"/?[A-Za-z0-9_.\-/]{1,2048}"#) else { throw badSource(flag, source) }
            return Secret(place: place, name: name, source: .ssm(rest))
        case "env":
            guard UserInput.matches(rest, #"[A-Za-z_][A-Za-z0-9_]*"#) else { throw badSource(flag, source) }
            return Secret(place: place, name: name, source: .env(rest))
        case "file": return Secret(place: place, name: name, source: .file(rest))
        default: throw badSource(flag, source)
        }
    }

    private static func badSource(_ flag: String, _ source: String) -> StackOptionsError {
        .init("\(flag): \(UserInput.quoted(source)) is not a secret source; use secretsmanager:<name or ARN>[#<json key>]"
            + " (or, for local, env:<VAR> or file:<path>)")
    }

    /// `local`: whether the sources are ones this machine can read; a stack: ones the function can.
    public func validate(local: Bool, forwardHeaders: [String] = []) throws(StackOptionsError) {
        // A header the stack sets always goes upstream with the stack's value: keyed on the
        // client's value too, it would split the cache for nothing.
        let set = Set(headers.map(\.name) + secrets.filter { $0.place == .header }.map(\.name))
        for name in forwardHeaders where set.contains(name) {
            throw .init("--forward-header \(name) is also set by --upstream-header or --upstream-secret, whose value always wins; drop one")
        }
        guard secrets.count <= Self.maxSecrets else {
            throw .init("--upstream-secret and --upstream-secret-query are given \(secrets.count) times; at most \(Self.maxSecrets)")
        }
        var seen = Set(headers.map { "header:\($0.name)" })
        for s in secrets {
            let flag = s.place == .header ? "--upstream-secret" : "--upstream-secret-query"
            guard seen.insert("\(s.place.rawValue):\(s.name)").inserted else { throw .init("\(flag) \(s.name) is given twice; give it once") }
            if local && !s.source.isLocalOnly {
                throw .init("\(flag) \(s.name): local has no AWS account to read Secrets Manager or SSM from; use env:VAR or file:PATH")
            }
            if !local && s.source.isLocalOnly {
                throw .init("\(flag) \(s.name): env: and file: are read by `cachedemo local` only; for a stack use secretsmanager:NAME")
            }
        }
        if Set(headers.map(\.name)).count != headers.count { throw .init("--upstream-header names a header twice; give each once") }
    }

    /// The environment for the stack's function: secrets as dynamic references, which
    /// CloudFormation resolves as it sets the function's configuration.
    var stackEnvironment: [String: String] {
        environment { source in
            guard case .secretsManager(let id, let key) = source else { return "" }
            return "{{resolve:secretsmanager:\(id)" + (key.map { ":SecretString:\($0)" } ?? "") + "}}"
        }
    }

    /// The SSM parameters the function reads, as IAM resource names (no leading slash).
    var ssmParameters: [String] {
        secrets.compactMap { s -> String? in
            guard case .ssm(let name) = s.source else { return nil }
            return name.hasPrefix("/") ? String(name.dropFirst()) : name
        }
    }

    /// The function role's permission to read exactly those parameters; none without them.
    var rolePolicies: [IAM.Role.Policy] {
        guard !ssmParameters.isEmpty else { return [] }
        let arns = ssmParameters.map { Value.sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/\($0)") }
        return [IAM.Role.Policy(policyName: "read-the-upstream-secrets", policyDocument: [
            "Version": "2012-10-17",
            "Statement": [["Effect": "Allow", "Action": "ssm:GetParameter", "Resource": .list(arns)]],
        ])]
    }

    /// The environment for `local`: each value read now from its variable or file.
    public func localEnvironment(reading environment: [String: String], readFile: (String) throws -> String) throws -> [String: String] {
        var failure: String?
        let env = self.environment { source in
            switch source {
            case .env(let name):
                guard let v = environment[name], !v.isEmpty else { failure = "env:\(name) is not set or empty"; return "" }
                return v
            case .file(let path):
                do { return try readFile(path).trimmingCharacters(in: .newlines) } catch {
                    failure = "file:\(UserInput.quoted(path)) could not be read"
                    return ""
                }
            case .secretsManager, .ssm: return ""
            }
        }
        if let failure { throw LocalError("--upstream-secret: \(failure); set it, or give another source") }
        return env
    }

    private func environment(_ value: (Source) -> String) -> [String: String] {
        var env: [String: String] = [:]
        if !headers.isEmpty {
            env[FunctionEnvironment.upstreamHeaders] = JSON.object(headers.map { ($0.name, $0.value) })
        }
        if !secrets.isEmpty {
            // An SSM parameter is named, and read by the function as it starts; any other value is in its variable.
            env[FunctionEnvironment.upstreamSecrets] = "[" + secrets.map { s in
                var pairs = [("in", s.place.rawValue), ("name", s.name)]
                if case .ssm(let name) = s.source { pairs.append(("ssm", name)) }
                return JSON.object(pairs)
            }.joined(separator: ",") + "]"
            for (i, s) in secrets.enumerated() {
                if case .ssm = s.source { continue }
                env[FunctionEnvironment.upstreamSecretValues[i]] = value(s.source)
            }
        }
        return env
    }
}

/// HTTP header names as the cache treats them.
enum HeaderName {
    /// RFC 9110 §5.6.2's token characters.
    static func isToken(_ name: String) -> Bool { UserInput.matches(name, #"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}"#) }

    /// Names that carry credentials: never in plain text in a template (or the key).
    static func isCredential(_ name: String) -> Bool {
        let n = name.lowercased()
        return ["authorization", "proxy-authorization", "cookie"].contains(n) || ["key", "token", "secret"].contains { n.contains($0) }
    }

    /// Hop-by-hop names, and those the HTTP client or API Gateway sets itself.
    static let notForwardable: Set<String> = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
                                              "upgrade", "host", "content-length", "expect", "x-cachedemo-purge", "x-cachedemo-diagnostics",
                                              "if-none-match", "if-modified-since", "accept-encoding"]
}

/// A flat JSON object of strings, keys in the order given (for the function's environment).
enum JSON {
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(quote($0.0)):\(quote($0.1))" }.joined(separator: ",") + "}"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where ch.value < 0x20: out += String(format: "\\u%04x", ch.value)
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
