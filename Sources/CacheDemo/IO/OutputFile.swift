import AWS
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Every `--output-file`-style flag writes through this one piece, so they all behave
/// alike: parent folders are created, and nothing but a regular file (or a new name) is
/// ever written to — not a device, a folder, a FIFO or a symbolic link, which a rename
/// would replace and a plain write would follow.
public enum OutputFile {
    /// Whether `path` could be written: checked before a long run (a smoke test) whose
    /// result would otherwise be lost at the end.
    public static func check(_ path: String) throws(OutputFileError) {
        guard !path.isEmpty else { throw .init("the output path is empty; give a file name") }
        var info = stat()
        if lstat(path, &info) == 0, let kind = notRegular(info.st_mode) {
            throw .init("\(path) is \(kind), not a regular file; give a file path")
        }
    }

    public static func write(_ data: Data, to path: String) throws(OutputFileError) {
        try check(path)
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .init("cannot create the folder of \(path): \(reason(of: error))")
        }
        var info = stat()
        // O_NOFOLLOW and O_NONBLOCK: a link or FIFO swapped in after the check fails instead
        // of being followed or blocking; fstat checks what was really opened.
        let fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            throw .init("cannot write \(path): \(e == ELOOP ? "it is a symbolic link" : String(cString: strerror(e)))")
        }
        defer { close(fd) }
        guard fstat(fd, &info) == 0, notRegular(info.st_mode) == nil else {
            throw .init("\(path) is \(notRegular(info.st_mode) ?? "not a regular file"), not a regular file; give a file path")
        }
        guard ftruncate(fd, 0) == 0 else { throw .init("cannot write \(path): \(String(cString: strerror(errno)))") }
        if let e = FileDescriptorWriter.writeAll(fd, data) {
            throw .init("cannot write \(path): \(String(cString: strerror(e)))")
        }
    }

    /// What kind of thing a mode is, when it is not a regular file.
    static func notRegular(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    private static func reason(of error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}

public struct OutputFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

