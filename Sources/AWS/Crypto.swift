import COpenSSL
import Foundation

/// SHA-256 and HMAC-SHA256 through OpenSSL: the only primitives SigV4 needs.
public enum Crypto {
    /// The low-level API: OpenSSL 3's one-shot SHA256() looks the digest up on every call.
    public static func sha256<D: ContiguousBytes>(_ data: D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { o in data.withUnsafeBytes { sha256($0, into: o.baseAddress!) } }
        return out
    }

    public static func sha256(_ string: String) -> [UInt8] {
        var s = string
        return s.withUTF8 { sha256(UnsafeRawBufferPointer($0)) }
    }

    public static func hmacSHA256<K: ContiguousBytes, D: ContiguousBytes>(key: K, data: D) -> [UInt8] {
        HMACKey(key).authenticate(data)
    }

    public static func hmacSHA256<K: ContiguousBytes>(key: K, _ string: String) -> [UInt8] {
        var s = string
        return s.withUTF8 { hmacSHA256(key: key, data: UnsafeRawBufferPointer($0)) }
    }

    /// Random bytes from OpenSSL's CSPRNG (tokens, key pairs).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        _ = RAND_bytes(&out, Int32(count))
        return out
    }
}

/// An HMAC-SHA256 key with its inner and outer pads already hashed: each message then
/// costs two short SHA-256 runs and no key set-up (the SigV4 signing key is reused per day).
public struct HMACKey: @unchecked Sendable {
    private let inner: SHA256_CTX
    private let outer: SHA256_CTX

    public init<K: ContiguousBytes>(_ key: K) {
        var block = [UInt8](repeating: 0, count: 64)
        key.withUnsafeBytes { k in
            if k.count > 64 {
                block = Crypto.sha256(k) + [UInt8](repeating: 0, count: 32)
            } else {
                for i in 0..<k.count { block[i] = k[i] }
            }
        }
        var i = SHA256_CTX(), o = SHA256_CTX()
        SHA256_Init(&i)
        SHA256_Init(&o)
        let ipad = block.map { $0 ^ 0x36 }, opad = block.map { $0 ^ 0x5C }
        SHA256_Update(&i, ipad, 64)
        SHA256_Update(&o, opad, 64)
        inner = i
        outer = o
    }

    /// The MAC's 32 bytes written to `out`, with no allocation (the signing hot path).
    func authenticate(_ data: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        var i = inner, o = outer
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { innerHash in
            SHA256_Update(&i, data.baseAddress, data.count)
            SHA256_Final(innerHash.baseAddress, &i)
            SHA256_Update(&o, innerHash.baseAddress, 32)
            SHA256_Final(out, &o)
        }
    }

    public func authenticate<D: ContiguousBytes>(_ data: D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { o in data.withUnsafeBytes { authenticate($0, into: o.baseAddress!) } }
        return out
    }
}

extension Crypto {
    /// SHA-256 of `data` into 32 bytes at `out`: what every digest helper here is built on.
    static func sha256(_ data: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        var ctx = SHA256_CTX()
        SHA256_Init(&ctx)
        SHA256_Update(&ctx, data.baseAddress, data.count)
        SHA256_Final(out, &ctx)
    }

    /// SHA-256 of `data` appended to `out` as lower-case hex, with no intermediate arrays.
    static func appendSHA256Hex(of data: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            sha256(data, into: digest.baseAddress!)
            appendHex(UnsafeBufferPointer(digest), to: &out)
        }
    }

    /// SHA-256 as a lower-case hex String, in one allocation.
    public static func sha256Hex(_ data: [UInt8]) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            data.withUnsafeBytes { sha256($0, into: digest.baseAddress!) }
            return hexString(UnsafeBufferPointer(digest))
        }
    }

    static func appendHex(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 2) { hex in
            writeHex(bytes, into: hex)
            out.append(contentsOf: UnsafeBufferPointer(hex))
        }
    }

    static func hexString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buf in
            writeHex(bytes, into: buf)
            return bytes.count * 2
        }
    }

    /// Lower-case hex digits of `bytes` into `out` (twice as long): the one hex loop.
    static func writeHex(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) {
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { d in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = d[Int(b >> 4)]
                out[2 * i + 1] = d[Int(b & 15)]
            }
        }
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, as SigV4 and checksums print it.
    public var hex: String {
        Array(self).withUnsafeBufferPointer { Crypto.hexString($0) }
    }
}

extension Crypto {
    /// MD5, only because S3's DeleteObjects insists on a Content-MD5 header.
    public static func md5(_ data: Data) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        data.withUnsafeBytes { buf in _ = EVP_Digest(buf.baseAddress, buf.count, &out, nil, EVP_md5(), nil) }
        return out
    }

    /// SHA-256 of a file, read in chunks: S3 uploads over plain HTTP must sign the payload.
    public static func sha256(fileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw TransportError("cannot read \(path)", isTransient: false) }
        defer { try? handle.close() }
        var ctx = SHA256_CTX()
        SHA256_Init(&ctx)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { _ = SHA256_Update(&ctx, $0.baseAddress, $0.count) }
        }
        var out = [UInt8](repeating: 0, count: 32)
        SHA256_Final(&out, &ctx)
        return out.hex
    }
}
