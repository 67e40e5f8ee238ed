import AWS
import Foundation

/// A throwaway CA and a server certificate for 127.0.0.1, made with the openssl tool.
enum LocalCertificates {
    struct Paths {
        let ca: String
        let cert: String
        let key: String
    }

    static func make(in dir: URL, openssl: String) throws -> Paths {
        func run(_ args: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: openssl)
            p.arguments = args
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw LocalError("openssl \(args[0]) failed making the local certificates") }
        }
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", "/CN=cachedemo local CA",
                 "-keyout", "ca.key", "-out", "ca.pem"])
        try run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "redis.key", "-out", "redis.csr"])
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\n".utf8).write(to: dir.appendingPathComponent("san.ext"))
        try run(["x509", "-req", "-in", "redis.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "7",
                 "-extfile", "san.ext", "-out", "redis.pem"])
        return Paths(ca: dir.appendingPathComponent("ca.pem").path, cert: dir.appendingPathComponent("redis.pem").path,
                     key: dir.appendingPathComponent("redis.key").path)
    }
}
