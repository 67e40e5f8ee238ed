import Foundation
import Testing
import TestSupport

@testable import AWS

/// Real calls to the signature-checking emulator: a correctly signed call passes and the
/// same call signed with a wrong secret is rejected.
@Suite(.serialized) struct EmulatorTests {
    let emulator = Emulator.shared

    func expectRejected(_ body: () throws -> Void) {
        do {
            try body()
            Issue.record("a request signed with the wrong secret was accepted")
        } catch let e as AWSError {
            #expect(e.code == "SignatureDoesNotMatch" || e.status == 403, "\(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func stsIdentityAndRejections() throws {
        let identity = try STS(client: emulator.client()).getCallerIdentity()
        #expect(identity.account == emulator.account)
        #expect(identity.arn.hasSuffix(":user/cachedemo-tests"))
        expectRejected { _ = try STS(client: emulator.client(secret: "wrong")).getCallerIdentity() }
        do {
            _ = try STS(client: emulator.client(accessKey: "AKIANOSUCHKEY000000")).getCallerIdentity()
            Issue.record("an unknown key was accepted")
        } catch let e as AWSError {
            #expect(e.code == "InvalidClientTokenId")
        }
    }

    @Test func s3BucketsAndObjects() throws {
        let s3 = S3(client: emulator.client(region: "eu-west-1"))
        let bucket = "cachedemo-test-\(UUID().uuidString.prefix(8).lowercased())"
        #expect(try s3.headBucket(bucket) == false)
        try s3.createBucket(bucket)
        #expect(try s3.headBucket(bucket))
        try s3.putBucketEncryption(bucket)
        try s3.putPublicAccessBlock(bucket)
        try s3.putLifecycle(bucket, prefix: "cachedemo/", expiringTag: ("cachedemo:retired", "true"), days: 30)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("obj-\(UUID().uuidString)")
        let payload = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try payload.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let keys = ["plain.zip", "with spaces/a b.zip", "unicode/über-ሴ.txt", "plus+dollar$.txt", "deep/x/y/z.bin"]
        for key in keys { try s3.putObject(bucket, key: key, file: file.path) }
        for key in keys { #expect(try s3.headObject(bucket, key: key), "\(key)") }
        #expect(try s3.headObject(bucket, key: "absent.zip") == false)
        let listed = try s3.listObjects(bucket, pageSize: 2)
        #expect(Set(listed.map(\.key)) == Set(keys))
        #expect(listed.allSatisfy { $0.size == payload.count })
        #expect(try s3.listObjects(bucket, prefix: "with spaces/").map(\.key) == ["with spaces/a b.zip"])

        expectRejected { try S3(client: emulator.client(region: "eu-west-1", secret: "wrong")).putObject(bucket, key: "x", data: Data("x".utf8)) }
        expectRejected { _ = try S3(client: emulator.client(region: "eu-west-1", secret: "wrong")).listObjects(bucket) }

        #expect(try s3.deleteObjects(bucket, keys: keys).isEmpty)
        #expect(try s3.listObjects(bucket).isEmpty)
        try s3.deleteBucket(bucket)
        #expect(try s3.headBucket(bucket) == false)
    }

    @Test func cloudFormationLifecycleOfATinyStack() throws {
        let cfn = CloudFormationClient(client: emulator.client())
        let template = #"{"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{}}},"Outputs":{"QueueUrl":{"Value":{"Ref":"Queue"}}}}"#
        #expect(try cfn.validateTemplate(body: template).isEmpty)
        let name = "tiny-\(UUID().uuidString.prefix(8))"
        #expect(try cfn.describeStack(name) == nil)
        let id = try cfn.createStack(name, templateBody: template)
        #expect(id.contains(name))
        let stack = try #require(try cfn.describeStack(name))
        #expect(stack.status == "CREATE_COMPLETE")
        #expect(stack.outputs["QueueUrl"]?.isEmpty == false)
        #expect(try !cfn.describeStackEvents(name).isEmpty)
        expectRejected { _ = try CloudFormationClient(client: emulator.client(secret: "wrong")).describeStack(name) }
        expectRejected { _ = try CloudFormationClient(client: emulator.client(secret: "wrong")).createStack("x", templateBody: template) }
        try cfn.deleteStack(name, clientToken: UUID().uuidString)
        let after = try cfn.describeStack(name)
        #expect(after == nil || after?.status == "DELETE_COMPLETE")
    }

    @Test func webIdentityThroughTheEmulatorsSTS() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenFile = dir.appendingPathComponent("token")
        try Data("header.payload.signature".utf8).write(to: tokenFile)
        var o = AWSSession.Options(environment: [
            "HOME": dir.path, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": emulator.endpoint,
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile.path,
            "AWS_ROLE_ARN": "arn:aws:iam::\(emulator.account):role/github-deploy", "AWS_ROLE_SESSION_NAME": "ci-run",
        ])
        o.region = nil
        let session = try AWSSession.make(o)
        #expect(session.credentialSource.contains("web identity"))
        let identity = try STS(client: session.client).getCallerIdentity()
        #expect(identity.arn.contains("assumed-role/github-deploy/ci-run"), "\(identity.arn)")
    }

    @Test func assumeRoleThroughAProfileChain() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            [base]
            aws_access_key_id = \(emulator.accessKeyId)
            aws_secret_access_key = \(emulator.secretAccessKey)
            """.write(to: dir.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        try """
            [profile deployer]
            role_arn = arn:aws:iam::\(emulator.account):role/deployer
            source_profile = base
            role_session_name = chained
            region = eu-west-1
            """.write(to: dir.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)
        var o = AWSSession.Options(environment: ["HOME": dir.path, "AWS_ENDPOINT_URL": emulator.endpoint])
        o.profile = "deployer"
        let session = try AWSSession.make(o)
        #expect(session.region == "eu-west-1")
        #expect(session.credentialSource.contains("assume role"))
        let identity = try STS(client: session.client).getCallerIdentity()
        #expect(identity.arn.contains("assumed-role/deployer/chained"), "\(identity.arn)")
    }
}
