import AWS
import Foundation

/// The S3 bucket deploy uploads to: created on first use with default encryption, all
/// public access blocked; keys derived from content, so an unchanged package is never
/// uploaded twice. Only what no stack runs any more expires: a failed update rolls back to
/// the code the stack ran before, and that object must still be there (otherwise the
/// stack ends in UPDATE_ROLLBACK_FAILED). Deploy tags the code a stack stopped using as
/// retired; the bucket's lifecycle expires retired objects only.
public struct ArtifactStore: Sendable {
    public let s3: S3
    public let bucket: String
    public static let prefix = "cachedemo/"
    public static let expiryDays = 30
    /// The tag on an artifact no stack references any more; the lifecycle expires these only.
    public static let retiredTag = (key: "cachedemo:retired", value: "true")

    public init(s3: S3, bucket: String) {
        self.s3 = s3
        self.bucket = bucket
    }

    /// `cachedemo-artifacts-<account>-<region>`: one per account and region, like SAM's.
    public static func defaultBucket(account: String, region: String) -> String {
        "cachedemo-artifacts-\(account)-\(region)"
    }

    /// S3's naming rules for general purpose buckets, checked before any call: a name S3
    /// would refuse (or an empty one) otherwise comes back as a bare 403 or 400.
    public static func checkBucketName(_ name: String, flag: String = "--artifact-bucket") throws(StackOptionsError) {
        let rule = "3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit"
        guard UserInput.matches(name, #"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"#) else {
            throw .init("\(flag) \(UserInput.quoted(name)) is not an S3 bucket name: \(rule)")
        }
        if name.contains("..") || UserInput.matches(name, #"[0-9]{1,3}(\.[0-9]{1,3}){3}"#) {
            throw .init("\(flag) \(UserInput.quoted(name)) is not an S3 bucket name: no '..', not an IP address")
        }
        let reserved = (prefixes: ["xn--", "sthree-", "amzn-s3-demo-"], suffixes: ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"])
        if let p = reserved.prefixes.first(where: name.hasPrefix) ?? reserved.suffixes.first(where: name.hasSuffix) {
            throw .init("\(flag) \(UserInput.quoted(name)): S3 reserves '\(p)' for its own names; choose another bucket name")
        }
    }

    /// Returns true when the bucket was created now.
    @discardableResult
    public func ensureBucket(progress: DeployProgress) throws -> Bool {
        if try s3.headBucket(bucket) {
            try updateLifecycleIfOld(progress: progress)
            return false
        }
        progress.info("creating artifact bucket \(bucket) (encrypted, public access blocked, "
            + "retired artifacts expire after \(Self.expiryDays) days)")
        try s3.createBucket(bucket)
        try s3.putBucketEncryption(bucket)
        try s3.putPublicAccessBlock(bucket)
        try putLifecycle()
        return true
    }

    private func putLifecycle() throws {
        try s3.putLifecycle(bucket, prefix: Self.prefix, expiringTag: Self.retiredTag, days: Self.expiryDays)
    }

    /// Buckets made by earlier versions expire every artifact after 30 days, live ones too.
    private func updateLifecycleIfOld(progress: DeployProgress) throws {
        let rules = try s3.lifecycle(bucket)?.all("Rule").compactMap { $0.value("ID") } ?? []
        guard !rules.contains(S3.expireRuleID) else { return }
        progress.info("artifact bucket \(bucket): from now on only retired artifacts expire (was: every artifact after "
            + "\(Self.expiryDays) days, which could take a live stack's rollback code)")
        try putLifecycle()
    }

    /// Marks the code a stack no longer runs for expiry (after a successful update).
    public func retire(key: String) throws {
        try s3.putObjectTagging(bucket, key: key, tags: [Self.retiredTag])
    }

    /// The code key a stack's parameters name, when the code is in this bucket (ours to check
    /// and retire; code elsewhere is someone else's).
    func codeKey(in parameters: [String: String]) -> String? {
        parameters[CacheStack.ParameterName.codeBucket] == bucket ? parameters[CacheStack.ParameterName.codeKey] : nil
    }

    /// Before an update away from the live code: a failed update rolls the function back to
    /// it, which fails (UPDATE_ROLLBACK_FAILED) if it is gone; said before anything changes.
    func warnIfGone(_ liveKey: String?, replacedBy next: String, progress: DeployProgress) throws {
        guard let liveKey, liveKey != next, !(try s3.headObject(bucket, key: liveKey)) else { return }
        progress.info("warning: the code the stack runs now (s3://\(bucket)/\(liveKey)) is gone from the bucket; "
            + "if this update fails, CloudFormation cannot roll the function back (UPDATE_ROLLBACK_FAILED)")
    }

    /// Code about to be deployed again (an override naming an earlier artifact) is live: no longer retired.
    func unretire(key: String) { try? s3.deleteObjectTagging(bucket, key: key) }

    /// After a successful update: the code the stack ran before is no rollback target any
    /// more, so it may expire; a failure to mark it is said, not fatal.
    func retireAfterUpdate(previous: String?, now: String?, progress: DeployProgress) {
        guard let previous, previous != now else { return }
        do { try retire(key: previous) } catch {
            progress.info("note: could not mark s3://\(bucket)/\(previous) for expiry: \(error)")
        }
    }

    /// Whether a key is marked for expiry.
    public func isRetired(key: String) throws -> Bool {
        try s3.objectTagging(bucket, key: key)[Self.retiredTag.key] == Self.retiredTag.value
    }

    /// The zip's key for a stack: per stack (so destroy can purge its own), named by content.
    public static func codeKey(stack: String, package: LambdaPackage) -> String {
        "\(prefix)\(stack)/lambda-\(package.sha256).zip"
    }

    public static func stackPrefix(_ stack: String) -> String { "\(prefix)\(stack)/" }

    /// Uploads the package unless an object with the same content key is already there.
    /// Returns whether it uploaded.
    public func upload(_ package: LambdaPackage, stack: String) throws -> (key: String, uploaded: Bool) {
        let key = Self.codeKey(stack: stack, package: package)
        if try s3.headObject(bucket, key: key) {
            // Code deployed again (say, after a revert) is live again: no longer retired.
            try s3.deleteObjectTagging(bucket, key: key)
            return (key, false)
        }
        // From memory: a few kilobytes, and no temporary file for anyone to plant a link at.
        try s3.putObject(bucket, key: key, data: package.data, contentType: "application/zip")
        return (key, true)
    }

    /// A template too large for TemplateBody goes to the bucket; returns the URL CloudFormation reads.
    public func uploadTemplate(_ body: String, stack: String) throws -> String {
        let key = "\(Self.stackPrefix(stack))template-\(Crypto.sha256(body).hex).json"
        try s3.putObject(bucket, key: key, data: Data(body.utf8), contentType: "application/json")
        return s3.objectURL(bucket, key: key)
    }

    /// Deletes this stack's artifacts; returns how many objects went.
    public func purge(stack: String) throws -> Int {
        let keys = try s3.listObjects(bucket, prefix: Self.stackPrefix(stack)).map(\.key)
        guard !keys.isEmpty else { return 0 }
        let failed = try s3.deleteObjects(bucket, keys: keys)
        return keys.count - failed.count
    }
}
