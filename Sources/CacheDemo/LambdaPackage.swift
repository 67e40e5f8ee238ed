import AWS
import Foundation
import ZIPFoundation

/// The Lambda zip: the handler's files at the root (Handler `index.handler`), sorted,
/// with a fixed timestamp and fixed permissions, so the same sources give the same bytes
/// whatever the clock, the time zone or the umask.
public struct LambdaPackage: Sendable {
    public let data: Data
    /// Hashed once: it names the upload, the temporary file and the `package` report.
    public let sha256: String
    public var size: Int { data.count }

    init(data: Data) {
        self.data = data
        sha256 = Crypto.sha256(data).hex
    }

    /// 2020-01-01T00:00:00Z; ZIP stores DOS time, which is converted with gmtime.
    static let fixedDate = Date(timeIntervalSince1970: 1_577_836_800)

    public static func build(files: [EmbeddedFile] = LambdaSources.handler) throws -> LambdaPackage {
        let archive = try Archive(data: Data(), accessMode: .create)
        for file in files.sorted(by: { $0.name < $1.name }) {
            let bytes = Data(file.contents.utf8)
            try archive.addEntry(with: file.name, type: .file, uncompressedSize: Int64(bytes.count),
                                 modificationDate: fixedDate, permissions: 0o644, compressionMethod: .deflate) {
                position, size in bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw PackageError("the zip could not be assembled") }
        return LambdaPackage(data: data)
    }

    /// Unpacks the zip into a folder, the way Lambda does before it loads the handler.
    public func extract(to folder: URL) throws {
        let archive = try Archive(data: data, accessMode: .read)
        for entry in archive {
            _ = try archive.extract(entry, to: folder.appendingPathComponent(entry.path))
        }
    }
}

public struct PackageError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// The files the binary carries: the function and the local runtime's helpers.
public enum LambdaSources {
    public static var handler: [EmbeddedFile] { EmbeddedLambda.handlerFiles }
    public static var local: [EmbeddedFile] { EmbeddedLambda.localFiles }
}
