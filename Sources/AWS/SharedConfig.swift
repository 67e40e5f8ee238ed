import Foundation

/// ~/.aws/config and ~/.aws/credentials, read the way the SDKs read them:
/// `[default]` and `[name]` in credentials, `[default]` and `[profile name]` in config,
/// credentials-file values winning over config-file ones.
public struct SharedConfig: Sendable {
    /// Settings per profile name.
    public private(set) var profiles: [String: [String: String]] = [:]
    public let configPath: String
    public let credentialsPath: String

    public init(environment: [String: String]) throws(ConfigError) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        configPath = Self.expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", home: home)
        credentialsPath = Self.expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", home: home)
        for (name, values) in try Self.parse(file: configPath, isConfig: true) { profiles[name, default: [:]].merge(values) { $1 } }
        for (name, values) in try Self.parse(file: credentialsPath, isConfig: false) {
            profiles[name, default: [:]].merge(values) { $1 }
        }
    }

    public func profile(_ name: String) -> [String: String]? { profiles[name] }

    /// The profile in use. One named by --profile, AWS_PROFILE or AWS_DEFAULT_PROFILE must
    /// exist (the AWS CLI: "The config profile (x) could not be found"); an absent default
    /// is fine, credentials may come from elsewhere.
    public func selectedProfile(explicit: String?, environment env: [String: String]) throws(ConfigError) -> [String: String]? {
        let name = Self.profileName(explicit: explicit, environment: env)
        if let found = profiles[name] { return found }
        guard name == "default" else {
            let source = explicit != nil ? "--profile" : env["AWS_PROFILE"] != nil ? "AWS_PROFILE" : "AWS_DEFAULT_PROFILE"
            throw ConfigError("the profile \(UserInput.quoted(name)) (from \(source)) is in neither \(configPath) nor \(credentialsPath); "
                + "check the name, or add it with: aws configure --profile \(name)", kind: .profileNotFound)
        }
        return nil
    }

    /// The profile in use: --profile, then AWS_PROFILE, then AWS_DEFAULT_PROFILE, then "default".
    public static func profileName(explicit: String?, environment env: [String: String]) -> String {
        explicit ?? env["AWS_PROFILE"] ?? env["AWS_DEFAULT_PROFILE"] ?? "default"
    }

    static func expand(_ path: String, home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }

    /// Parses one file; a line that is neither a section, a setting, a comment nor a
    /// nested setting is an error naming the file and line.
    static func parse(file: String, isConfig: Bool) throws(ConfigError) -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: file) else { return [:] }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError("cannot read \(file); check its permissions")
        }
        let text = String(decoding: data, as: UTF8.self)
        var result: [String: [String: String]] = [:]
        var current: String?
        var lastKey: String?
        var sawSection = false
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = i + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw ConfigError("\(file):\(lineNumber): section header \(UserInput.quoted(line)) has no closing ']'")
                }
                sawSection = true
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if isConfig {
                    if name.hasPrefix("profile ") {
                        name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                    } else if name != "default" {
                        current = nil  // sso-session, services and other non-profile sections
                        continue
                    }
                }
                guard !name.isEmpty else { throw ConfigError("\(file):\(lineNumber): empty section name") }
                current = name
                result[name, default: [:]] = result[name] ?? [:]
                lastKey = nil
                continue
            }
            if rawLine.first == " " || rawLine.first == "\t" {
                // A nested setting (e.g. under `s3 =`): kept out of the profile's own keys.
                guard lastKey != nil else { throw ConfigError("\(file):\(lineNumber): indented line outside a setting") }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigError("\(file):\(lineNumber): expected 'name = value' or '[section]'")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if let hash = value.range(of: " #") ?? value.range(of: " ;") { value = String(value[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces) }
            guard !key.isEmpty else { throw ConfigError("\(file):\(lineNumber): setting with no name") }
            guard let section = current else {
                guard sawSection else { throw ConfigError("\(file):\(lineNumber): setting \(UserInput.quoted(key)) outside any [section]") }
                lastKey = key  // inside a section that is not a profile
                continue
            }
            result[section]![key] = value
            lastKey = key
        }
        return result
    }
}

/// A problem with the user's AWS configuration: one line, naming the file or profile.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable { case invalid, profileNotFound }
    public let description: String
    public let kind: Kind
    public init(_ d: String, kind: Kind = .invalid) {
        description = d
        self.kind = kind
    }
}
