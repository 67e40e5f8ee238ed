import AWS
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The key pair `cachedemo local` makes for each run so that purges are signed, as on AWS
/// where the purge routes need IAM. Kept in a 0600 file named by the front's port, where
/// `cachedemo invalidate --endpoint http://127.0.0.1:PORT` finds it.
public struct LocalPurgeCredentials: Codable, Sendable {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let region: String
    /// The `cachedemo local` that wrote it: a file whose process is gone is a leftover.
    public var pid: Int32?

    static func generate() -> LocalPurgeCredentials {
        LocalPurgeCredentials(accessKeyId: "LOCAL" + Crypto.randomBytes(8).hex.uppercased(),
                              secretAccessKey: Crypto.randomBytes(20).hex, region: "us-east-1", pid: getpid())
    }

    /// This user's own folder for the key files, /tmp/cachedemo-<uid>: per user, so one
    /// user's run never blocks another's, and the same from every shell (not TMPDIR or
    /// XDG_RUNTIME_DIR, which differ between sessions), so `invalidate` finds what `local` wrote.
    public static func directory() -> URL {
        URL(fileURLWithPath: "/tmp/cachedemo-\(getuid())")
    }

    public static func file(port: Int) -> URL {
        directory().appendingPathComponent("\(port).json")
    }

    func write(port: Int) throws -> URL {
        let url = Self.file(port: port)
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw LocalError("cannot create \(dir.path) for the purge key: \(error.localizedDescription)")
        }
        // A folder someone else made (or opened up) in a shared /tmp is not ours to trust.
        var info = stat()
        guard lstat(dir.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else {
            throw LocalError("\(dir.path) is not a folder of this user's; remove it")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw LocalError("\(dir.path) is open to other users (mode \(String(info.st_mode & 0o777, radix: 8))); "
                + "run: chmod 700 \(dir.path)")
        }
        let data = try JSONEncoder().encode(self)
        try? FileManager.default.removeItem(at: url)
        guard FileManager.default.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw LocalError("cannot write the purge key \(url.path): \(String(cString: strerror(errno)))")
        }
        return url
    }

    /// Whether a URL is this machine's loopback, where only `cachedemo local` can be.
    public static func isLoopback(_ endpoint: URL) -> Bool {
        guard let host = endpoint.host?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) else { return false }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The key pair of a local front on this loopback URL, if one is running.
    public static func forEndpoint(_ endpoint: URL) -> LocalPurgeCredentials? {
        guard isLoopback(endpoint), let port = endpoint.port,
              let data = FileManager.default.contents(atPath: file(port: port).path)
        else { return nil }
        return try? JSONDecoder().decode(LocalPurgeCredentials.self, from: data)
    }

    public var credentials: AWSCredentials { AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey) }
}
