import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a `cachedemo local` killed outright (SIGKILL, a crash) could not remove: its folder
/// (TLS key, tokens, the function) and its purge key file. Both carry the run's pid; the
/// next run removes those of processes that no longer exist, as the emulator does its own.
enum LocalLeftovers {
    /// `cachedemo-local-pid<pid>-<uuid>` under the temporary folder.
    static let folderPrefix = "cachedemo-local-pid"

    static func removeStale() {
        let root = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix(folderPrefix) {
            let pid = name.dropFirst(folderPrefix.count).prefix { $0.isNumber }
            guard let pid = Int32(pid), isGone(pid) else { continue }
            removeIfOurs(root.appendingPathComponent(name), kind: S_IFDIR)
        }
        let keys = LocalPurgeCredentials.directory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: keys.path)) ?? [] where name.hasSuffix(".json") {
            let file = keys.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file.path),
                  let pid = (try? JSONDecoder().decode(LocalPurgeCredentials.self, from: data))?.pid, isGone(pid)
            else { continue }
            removeIfOurs(file, kind: S_IFREG)
        }
    }

    /// No process has this pid (one that exists but is another user's is not gone).
    static func isGone(_ pid: Int32) -> Bool { pid > 0 && kill(pid, 0) == -1 && errno == ESRCH }

    /// Only this user's own folder or file, never through a symlink someone put there.
    private static func removeIfOurs(_ url: URL, kind: mode_t) {
        var info = stat()
        guard lstat(url.path, &info) == 0, info.st_mode & S_IFMT == kind, info.st_uid == getuid() else { return }
        try? FileManager.default.removeItem(at: url)
    }
}
