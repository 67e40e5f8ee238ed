import AWS
import Foundation

/// The key pair `cachedemo local` makes for each run so that purges are signed, as on AWS
/// where the purge routes need IAM. Kept in a 0600 file named by the front's port, where
/// `cachedemo invalidate --endpoint http://127.0.0.1:PORT` finds it.
public struct LocalPurgeCredentials: Codable, Sendable {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let region: String

    static func generate() -> LocalPurgeCredentials {
        LocalPurgeCredentials(accessKeyId: "LOCAL" + Crypto.randomBytes(8).hex.uppercased(),
                              secretAccessKey: Crypto.randomBytes(20).hex, region: "us-east-1")
    }

    public static func file(port: Int) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cachedemo-local").appendingPathComponent("\(port).json")
    }

    func write(port: Int) throws -> URL {
        let url = Self.file(port: port)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(self)
        guard FileManager.default.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw LocalError("cannot write \(url.path)")
        }
        return url
    }

    /// The key pair of a local front on this loopback URL, if one is running.
    public static func forEndpoint(_ endpoint: URL) -> LocalPurgeCredentials? {
        guard let host = endpoint.host, ["127.0.0.1", "localhost", "::1"].contains(host), let port = endpoint.port,
              let data = FileManager.default.contents(atPath: file(port: port).path)
        else { return nil }
        return try? JSONDecoder().decode(LocalPurgeCredentials.self, from: data)
    }

    public var credentials: AWSCredentials { AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey) }
}
