import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// write(2) until done, retrying short writes and EINTR/EAGAIN; returns the errno of a failure.
/// Foundation's FileHandle.write traps on EPIPE and ENOSPC; this returns instead.
public enum FileDescriptorWriter {
    public static func writeAll(_ fd: Int32, _ data: Data) -> Int32? {
        data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) -> Int32? in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN { var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0); _ = poll(&p, 1, 1000); continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
    }
}
