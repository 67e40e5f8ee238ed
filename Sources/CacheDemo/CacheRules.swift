import AWS
import Foundation
import Yams

/// One rule of `--cache-rules FILE`: the paths it matches (CloudFront-style: `*` any
/// characters, `?` one) and the settings it overrides there, named like the flags.
public struct CacheRule: Sendable, Equatable {
    public var path: String
    /// false: nothing under it is stored or served from the cache (PASS).
    public var cache = true
    public var ttl: Int?
    public var minTTL: Int?
    public var maxTTL: Int?
    public var negativeTTL: Int?
    public var forwardHeaders: [String]?
    public var ignoreQueryParams: [String]?

    public init(path: String) { self.path = path }
}

/// `--cache-rules FILE` (YAML or JSON): an ordered list, first match wins. Carried in the
/// zip as cache-rules.json, so it is part of the code's hash and not of Lambda's 4 KB
/// environment (lambda/src/rules.mjs reads it).
public struct CacheRules: Sendable, Equatable {
    public var rules: [CacheRule] = []
    /// The file the rules came from, for messages.
    public var source = ""

    public init() {}

    public static let fileName = "cache-rules.json"
    public static let maxRules = 100
    /// What a rule may say, in the file's own words.
    static let keys = ["path", "cache", "cache-ttl", "min-ttl", "max-ttl", "negative-ttl", "forward-header", "ignore-query-param"]

    /// Reads and parses a rules file; one line naming the file (and the rule, the key) when it is wrong.
    public static func load(_ path: String) throws(StackOptionsError) -> CacheRules {
        let shown = UserInput.quoted(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path)
        else { throw .init("--cache-rules \(shown) is not a file this can read; give the path of a YAML or JSON rules file") }
        guard data.count <= 65_536 else { throw .init("--cache-rules \(shown) is \(data.count) bytes; a rules file may be 64 KiB") }
        guard let text = String(data: data, encoding: .utf8) else { throw .init("--cache-rules \(shown) is not UTF-8 text") }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws(StackOptionsError) -> CacheRules {
        let file = "--cache-rules \(UserInput.quoted(source))"
        let doc: Any?
        do { doc = try Yams.load(yaml: text) } catch { throw .init("\(file) is neither YAML nor JSON; write a list of rules, each with a path") }
        guard let list = doc as? [Any] else {
            throw .init("\(file) is not a list of rules; write one like '- path: /admin/*' and '  cache: false'")
        }
        guard list.count <= maxRules else { throw .init("\(file) has \(list.count) rules; at most \(maxRules)") }
        var out = CacheRules()
        out.source = source
        for (i, item) in list.enumerated() {
            out.rules.append(try rule(item, at: "\(file): rule \(i + 1)"))
        }
        return out
    }

    private static func rule(_ item: Any, at place: String) throws(StackOptionsError) -> CacheRule {
        guard let map = item as? [String: Any] else { throw .init("\(place) is not a mapping of keys (path, cache-ttl, ...)") }
        for key in map.keys.sorted() where !keys.contains(key) {
            throw .init("\(place): \(UserInput.quoted(key)) is not a rule key; use \(keys.joined(separator: ", "))")
        }
        guard let path = map["path"] as? String else { throw .init("\(place) has no path; give one like path: /users/*") }
        guard path.hasPrefix("/"), path.count <= 1024, UserInput.escaped(path) == path, !path.contains(" ") else {
            throw .init("\(place): path \(UserInput.quoted(path)) is not a path pattern; start it with / (* matches any characters, ? one)")
        }
        var rule = CacheRule(path: path)
        func int(_ key: String) throws(StackOptionsError) -> Int? {
            guard let v = map[key] else { return nil }
            guard let n = v as? Int, !(v is Bool) else { throw .init("\(place) (\(path)): \(key) must be whole seconds, not \(UserInput.quoted("\(v)"))") }
            return n
        }
        func names(_ key: String) throws(StackOptionsError) -> [String]? {
            guard let v = map[key] else { return nil }
            if let one = v as? String { return [one] }
            guard let list = v as? [Any], let strings = list as? [String] else {
                throw .init("\(place) (\(path)): \(key) must be a name or a list of names")
            }
            _ = list
            return strings
        }
        if let c = map["cache"] {
            guard let b = c as? Bool else { throw .init("\(place) (\(path)): cache must be true or false") }
            rule.cache = b
        }
        (rule.ttl, rule.minTTL, rule.maxTTL, rule.negativeTTL) = (try int("cache-ttl"), try int("min-ttl"), try int("max-ttl"), try int("negative-ttl"))
        rule.forwardHeaders = try names("forward-header")?.map { $0.lowercased() }
        rule.ignoreQueryParams = try names("ignore-query-param")
        if !rule.cache && map.keys.count > 2 {
            throw .init("\(place) (\(path)): cache: false stores nothing, so its other keys would do nothing; drop them or the cache: false")
        }
        return rule
    }

    /// Each rule's settings over the function's, checked by the same rules as the flags.
    func validate(over base: CachingOptions) throws(StackOptionsError) {
        for (i, rule) in rules.enumerated() {
            do { try base.applying(rule).validate() } catch {
                throw .init("--cache-rules \(UserInput.quoted(source)): rule \(i + 1) (\(rule.path)): \(error.description)")
            }
        }
    }

    /// The file the zip carries; none without rules (the zip stays as it was).
    public var files: [EmbeddedFile] {
        guard !rules.isEmpty else { return [] }
        return [EmbeddedFile(name: Self.fileName, contents: json)]
    }

    /// The rules as lambda/src/rules.mjs reads them: only the keys a rule gives, in file order.
    var json: String {
        "[" + rules.map { r in
            var parts = ["\"path\":\(JSON.quote(r.path))"]
            if !r.cache { parts.append("\"cache\":false") }
            for (key, v) in [("cache-ttl", r.ttl), ("min-ttl", r.minTTL), ("max-ttl", r.maxTTL), ("negative-ttl", r.negativeTTL)] {
                if let v { parts.append("\"\(key)\":\(v)") }
            }
            for (key, v) in [("forward-header", r.forwardHeaders), ("ignore-query-param", r.ignoreQueryParams)] {
                if let v { parts.append("\"\(key)\":[" + v.map(JSON.quote).joined(separator: ",") + "]") }
            }
            return "{" + parts.joined(separator: ",") + "}"
        }.joined(separator: ",") + "]"
    }

    /// One line a reviewer reads in the template's outputs: each rule, in order.
    var summary: String {
        let text = rules.enumerated().map { i, r in
            var said: [String] = r.cache ? [] : ["not cached"]
            for (key, v) in [("cache-ttl", r.ttl), ("min-ttl", r.minTTL), ("max-ttl", r.maxTTL), ("negative-ttl", r.negativeTTL)] {
                if let v { said.append("\(key) \(v)") }
            }
            if let h = r.forwardHeaders { said.append("forward-header " + h.joined(separator: ",")) }
            if let q = r.ignoreQueryParams { said.append("ignore-query-param " + q.joined(separator: ",")) }
            return "\(i + 1). \(r.path): " + (said.isEmpty ? "the function's settings" : said.joined(separator: ", "))
        }.joined(separator: "; ")
        return text.count <= 1000 ? text : String(text.prefix(990)) + "… (\(rules.count) rules)"
    }
}

extension CachingOptions {
    /// These settings with a rule's over them, for checking the rule.
    func applying(_ rule: CacheRule) -> CachingOptions {
        var o = self
        o.rules = CacheRules()
        if let v = rule.ttl { o.ttlSeconds = v }
        if let v = rule.minTTL { o.minTTLSeconds = v }
        if let v = rule.maxTTL { o.maxTTLSeconds = v }
        if let v = rule.negativeTTL { o.negativeTTLSeconds = v }
        if let v = rule.forwardHeaders { o.forwardHeaders = v }
        if let v = rule.ignoreQueryParams { o.ignoreQueryParams = v }
        return o
    }
}
