import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// Issue 21: the function's environment is one contract. The names are written once on the
/// Swift side (FunctionEnvironment), the handler reads exactly those (lambda/src), and what
/// the template and `cachedemo local` set is among them: a name only one side knows is a
/// setting that silently does nothing.
@Suite struct FunctionEnvironmentTests {
    /// Every variable name the handler's sources read: `env.NAME`, and names given as string
    /// literals ('CACHE_TTL_SECONDS' to its int() reader, the IAM list).
    static func handlerReads() throws -> Set<String> {
        let dir = Repo.root.appendingPathComponent("lambda/src")
        var names = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".mjs") {
            let source = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for pattern in [#"\benv\.([A-Z][A-Z0-9_]+)"#, #"'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'"#] {
                let regex = try NSRegularExpression(pattern: pattern)
                for m in regex.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                    names.insert(String(source[Range(m.range(at: 1), in: source)!]))
                }
            }
        }
        return names
    }

    @Test func theHandlerReadsExactlyTheNamesSwiftKnows() throws {
        let reads = try Self.handlerReads()
        #expect(reads.count > 15, "the handler's reads were not found: \(reads)")
        #expect(reads.subtracting(FunctionEnvironment.all).isEmpty, "read by the handler, unknown to Swift: \(reads.subtracting(FunctionEnvironment.all))")
        #expect(FunctionEnvironment.all.subtracting(reads).isEmpty, "known to Swift, never read: \(FunctionEnvironment.all.subtracting(reads))")
    }

    @Test(arguments: Variant.all)
    func theTemplateSetsOnlyNamesTheHandlerReads(_ v: Variant) throws {
        let function = try #require(ofType(try v.document(), "AWS::Lambda::Function").first)
        let set = try #require((function["Environment"] as? [String: Any])?["Variables"] as? [String: Any])
        let unknown = Set(set.keys).subtracting(FunctionEnvironment.all)
        #expect(unknown.isEmpty, "\(v): \(unknown)")
        #expect(Set(set.keys).isDisjoint(with: FunctionEnvironment.lambdaProvided), "\(v): sets what Lambda provides")
    }

    /// `local` hands the function its environment through the front; the front's own
    /// settings (its port, the purge key, the throttle) are not the function's.
    @Test(arguments: [[], ["--shards", "2"], ["--serverless"], ["--cache-auth", "iam"]])
    func localSetsOnlyNamesTheHandlerReads(_ args: [String]) throws {
        let local = try LocalRun(args)
        defer { local.stop() }
        let front = try #require((local.doc["pids"] as? [String: Int])?["api-front"])
        let environ = try #require(FileManager.default.contents(atPath: "/proc/\(front)/environ"))
        let names = Set(String(decoding: environ, as: UTF8.self).split(separator: "\0").compactMap { $0.split(separator: "=").first.map(String.init) })
        let frontsOwn: Set<String> = ["PORT", "FUNCTION_DIR", "PATH", "PURGE_ACCESS_KEY_ID", "PURGE_SECRET_ACCESS_KEY", "PURGE_REGION",
                                      "THROTTLE_RATE", "THROTTLE_BURST"]
        let unknown = names.subtracting(FunctionEnvironment.all).subtracting(frontsOwn)
        #expect(unknown.isEmpty, "\(args): \(unknown)")
        #expect(names.contains(FunctionEnvironment.redisURL) && names.contains(FunctionEnvironment.upstreamURL))
        if !args.isEmpty && args[0] != "--cache-auth" { #expect(names.contains(FunctionEnvironment.redisCluster)) }
    }
}
