import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// A template over CloudFormation's inline limit goes through the artifact bucket.
@Suite struct TemplateURLTests {
    struct Quiet: DeployProgress {
        func info(_ line: String) {}
        func event(_ event: CloudFormationClient.Event, done: Int, total: Int?) {}
        func changes(_ changes: [CloudFormationClient.Change]) {}
    }

    @Test func aLargeTemplateIsUploadedAndPassedAsTemplateURL() throws {
        let emulator = Emulator.shared
        var options = AWSSession.Options(environment: emulator.environment)
        options.region = "us-east-1"
        let session = try AWSSession.make(options)
        var o = Deployer.Options()
        o.stackName = "big-\(UUID().uuidString.prefix(6).lowercased())"
        o.templateBodyLimit = 1_000  // every template of this stack is larger
        let result = try Deployer(session: session, progress: Quiet()).deploy(o)
        #expect(result.status == "CREATE_COMPLETE")
        let bucket = ArtifactStore.defaultBucket(account: emulator.account, region: "us-east-1")
        let keys = try S3(client: session.client).listObjects(bucket, prefix: ArtifactStore.stackPrefix(o.stackName)).map(\.key)
        #expect(keys.contains { $0.contains("/template-") && $0.hasSuffix(".json") }, "\(keys)")
        var d = Destroyer.Options()
        d.stackName = o.stackName
        d.purgeArtifacts = true
        let destroyed = try Destroyer(session: session, progress: Quiet()).destroy(d)
        #expect(destroyed.status == "DELETE_COMPLETE" && destroyed.purgedObjects == 2)
    }
}
