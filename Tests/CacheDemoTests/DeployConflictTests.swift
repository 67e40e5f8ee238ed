import AWS
import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// What CloudFormation answers when another operation got to the stack first, each read as a
/// conflict (plan again) and nothing else: AWS's own codes and messages (ExecuteChangeSet's
/// InvalidChangeSetStatus and ChangeSetNotFound, a busy stack's ValidationError, a CREATE
/// change set for a stack that exists now).
@Suite struct DeployConflictTests {
    func error(_ code: String, _ message: String) -> AWSError {
        AWSError(service: "cloudformation", code: code, message: message, requestId: nil, status: 400)
    }

    @Test func anotherOperationFirstIsAConflict() {
        for (code, message) in [
            ("InvalidChangeSetStatus", "ChangeSet [arn] cannot be executed in its current execution status of [OBSOLETE]"),
            ("ChangeSetNotFound", "ChangeSet [cachedemo-1] does not exist"),
            ("ValidationError", "Stack:arn:aws:cloudformation:us-east-1:1:stack/s/1 is in UPDATE_IN_PROGRESS state and can not be updated."),
            ("ValidationError", "Stack [s] already exists and cannot be created again with the changeSet [cachedemo-1]."),
            ("AlreadyExistsException", "ChangeSet cachedemo-1 already exists"),
        ] {
            #expect(Deployer.StackConflict.from(error(code, message)) != nil, "\(code): \(message)")
        }
    }

    @Test func otherFailuresAreNotConflicts() {
        for (code, message) in [("ValidationError", "Template format error: unsupported structure."),
                                ("AccessDenied", "not authorized to perform cloudformation:ExecuteChangeSet"),
                                ("Throttling", "Rate exceeded")] {
            #expect(Deployer.StackConflict.from(error(code, message)) == nil, "\(code)")
        }
        #expect(Deployer.StackConflict.from(TransportError("reset", isTransient: true)) == nil)
    }

    /// A value that hides a zero-width space or a bidi override is shown with them escaped.
    @Test func formatCharactersAreShownEscaped() throws {
        #expect(UserInput.quoted("prod\u{200B}") == #"'prod\u{200B}'"#)
        #expect(UserInput.escaped("a\u{202E}b") == #"a\u{202E}b"#)
        let r = try cachedemo(["status", "--stack-name", "prod\u{200B}"], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
        #expect(r.status == 64 && r.stderr.contains(#"'prod\u{200B}'"#), "\(r.stderr)")
    }
}
