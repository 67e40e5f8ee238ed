import Foundation
import Testing
import TestSupport

/// `cachedemo whoami` against the signature-checking emulator.
@Suite struct WhoamiCommandTests {
    let emulator = Emulator.shared

    @Test func printsTheIdentityRegionAndSource() throws {
        let r = try cachedemo(["whoami", "--output", "json"], environment: emulator.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: String])
        #expect(doc["account"] == emulator.account)
        #expect(doc["arn"]?.hasSuffix("user/cachedemo-tests") == true)
        #expect(doc["region"] == "us-east-1" && doc["regionSource"] == "AWS_REGION")
        #expect(doc["credentialSource"] == "environment")
        let text = try cachedemo(["whoami", "--region", "eu-west-1"], environment: emulator.environment)
        #expect(text.stdout.contains("eu-west-1 (from --region)"))
    }

    @Test func aWrongSecretIsOneLineWithTheServiceErrorAndExit1() throws {
        var env = emulator.environment
        env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-at-all"
        env["AWS_MAX_ATTEMPTS"] = "1"
        let r = try cachedemo(["whoami"], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("SignatureDoesNotMatch"))
        #expect(!r.stderr.contains("not-the-secret-at-all"))
        env["AWS_ACCESS_KEY_ID"] = "AKIANOTAKEY000000000"
        let unknown = try cachedemo(["whoami"], environment: env)
        #expect(unknown.status == 1 && unknown.stderr.contains("InvalidClientTokenId"))
    }

    @Test func debugShowsTheSigningStagesButNoSecret() throws {
        var env = emulator.environment
        env["AWS_SESSION_TOKEN"] = "session-token-that-must-not-show"
        let r = try cachedemo(["whoami", "--debug"], environment: env)
        #expect(r.stderr.contains("canonical request:"))
        #expect(r.stderr.contains("string to sign:"))
        #expect(r.stderr.contains("credentials from environment"))
        #expect(!r.stderr.contains(emulator.secretAccessKey))
        #expect(!r.stderr.contains("session-token-that-must-not-show"))
        #expect(!r.stderr.contains("Signature="))
    }

    @Test func missingRegionOrCredentialsAreOneLine() throws {
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let bare = ["HOME": home.path, "PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true"]
        let noRegion = try cachedemo(["whoami"], environment: bare)
        #expect(noRegion.status == 1 && noRegion.stderr.contains("no AWS region"))
        let noCreds = try cachedemo(["whoami", "--region", "us-east-1"], environment: bare)
        #expect(noCreds.status == 1 && noCreds.stderr.contains("no AWS credentials"))
        #expect(noCreds.stderr.split(separator: "\n").count == 1)
    }
}
