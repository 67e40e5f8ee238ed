import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// A failed update rolls the function back to the code the stack ran before; if that
/// object has expired the stack ends in UPDATE_ROLLBACK_FAILED. Only retired code may expire.
@Suite(.serialized) struct ArtifactRetentionTests {
    let emulator = Emulator.shared
    /// A region of its own: the default bucket is per account and region, and other suites'
    /// deploys in us-east-1 would otherwise update this test's old lifecycle rule first.
    static let region = "us-west-2"
    var bucket: String { ArtifactStore.defaultBucket(account: emulator.account, region: Self.region) }

    func run(_ args: [String]) throws -> ProcessResult {
        try cachedemo(args, environment: emulator.environment.merging(["AWS_REGION": Self.region]) { $1 })
    }
    func json(_ r: ProcessResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
    }

    @Test func liveCodeNeverExpiresAndReplacedCodeIsRetired() throws {
        let s3 = S3(client: try emulator.client(region: Self.region))
        let store = ArtifactStore(s3: s3, bucket: bucket)
        let stack = "keep-\(UUID().uuidString.prefix(6).lowercased())"
        let package = try LambdaPackage.build()
        let liveKey = ArtifactStore.codeKey(stack: stack, package: package)
        let oldKey = ArtifactStore.stackPrefix(stack) + "lambda-previous.zip"

        // A bucket an earlier version made: one rule expiring every artifact after 30 days.
        let first = try run(["deploy", "--stack-name", stack, "--output", "json"])
        #expect(first.status == 0, "\(first.stderr)")
        let oldRule = Data("""
            <LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>cachedemo-expire-old-artifacts</ID>\
            <Filter><Prefix>cachedemo/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>\
            </Rule></LifecycleConfiguration>
            """.utf8)
        _ = try emulator.client(region: Self.region).send(.s3, method: "PUT", query: [("lifecycle", "")],
                                       headers: [("Content-MD5", Data(Crypto.md5(oldRule)).base64EncodedString())],
                                       body: .data(oldRule), bucket: bucket)

        // The stack runs "previous" code; then an update brings today's.
        try s3.putObject(bucket, key: oldKey, data: package.data, contentType: "application/zip")
        let onOld = try run(["deploy", "--stack-name", stack, "--parameter-overrides", "CodeS3Key=\(oldKey)", "--output", "json"])
        #expect(onOld.status == 0, "\(onOld.stderr)")
        #expect(onOld.stderr.contains("only retired artifacts expire"))
        // An override of what deploy sets is said (issue 20.7), with what it replaces.
        #expect(onOld.stderr.contains("note: --parameter-overrides CodeS3Key=\(oldKey) replaces what deploy would set (\(liveKey))"),
                "\(onOld.stderr)")
        let updated = try json(run(["deploy", "--stack-name", stack, "--cache-ttl", "61", "--output", "json"]))
        #expect(updated["status"] as? String == "UPDATE_COMPLETE")

        // The rules now expire tagged objects only; the live code is untagged, the replaced code retired.
        let rules = try #require(try s3.lifecycle(bucket)).all("Rule")
        let expiring = rules.filter { $0.child("Expiration") != nil }
        #expect(expiring.count == 1)
        #expect(expiring.allSatisfy { $0.child("Filter")?.child("And")?.child("Tag")?.value("Key") == ArtifactStore.retiredTag.key })
        #expect(try store.isRetired(key: liveKey) == false)
        #expect(try store.isRetired(key: oldKey) == true)

        // Going back to the old code makes it live again: no longer retired.
        let back = try run(["deploy", "--stack-name", stack, "--parameter-overrides", "CodeS3Key=\(oldKey)", "--output", "json"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(try store.isRetired(key: liveKey) == true)

        // The live object gone (say, deleted by hand): a deploy of other code warns that a rollback would fail.
        try s3.deleteObject(bucket, key: oldKey)
        let warned = try run(["deploy", "--stack-name", stack, "--cache-ttl", "62", "--output", "json"])
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("is gone from the bucket") && warned.stderr.contains("UPDATE_ROLLBACK_FAILED"))
        #expect(try store.isRetired(key: liveKey) == false)  // deployed again: live again

        // A failing update (its code is not there) leaves the live code where it was, and live:
        // what a real rollback would restore is never retired by an update that did not finish.
        let failing = try run(["deploy", "--stack-name", stack, "--parameter-overrides",
                               "CodeS3Key=\(ArtifactStore.stackPrefix(stack))lambda-missing.zip", "--cache-ttl", "63"])
        #expect(failing.status == 1, "\(failing.stderr)")
        #expect(try s3.headObject(bucket, key: liveKey))
        #expect(try store.isRetired(key: liveKey) == false)

        #expect(try run(["destroy", "--stack-name", stack, "--yes", "--purge-artifacts"]).status == 0)
    }
}
