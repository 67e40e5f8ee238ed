/// CloudFormation stack statuses, sorted into what a waiting command needs to know.
public enum StackStatus {
    /// The stack will not change any more without a new operation.
    public static func isTerminal(_ status: String) -> Bool {
        !status.hasSuffix("_IN_PROGRESS")
    }

    /// Terminal and what the operation wanted.
    public static func isSuccess(_ status: String, operation: Operation) -> Bool {
        switch operation {
        case .create: return status == "CREATE_COMPLETE"
        case .update: return status == "UPDATE_COMPLETE"
        case .delete: return status == "DELETE_COMPLETE"
        }
    }

    public static func isInProgress(_ status: String) -> Bool { status.hasSuffix("_IN_PROGRESS") }

    /// A failed create leaves ROLLBACK_COMPLETE: CloudFormation cannot update it, only delete it.
    public static func needsReplacement(_ status: String) -> Bool {
        status == "ROLLBACK_COMPLETE" || status == "ROLLBACK_FAILED" || status == "CREATE_FAILED"
    }

    public enum Operation: String, Sendable {
        case create, update, delete
    }
}
