import COpenSSL
import Foundation

/// SHA-256 and HMAC-SHA256 through OpenSSL: the only primitives SigV4 needs.
public enum Crypto {
    public static func sha256<D: ContiguousBytes>(_ data: D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        data.withUnsafeBytes { buf in
            _ = EVP_Digest(buf.baseAddress, buf.count, &out, nil, EVP_sha256(), nil)
        }
        return out
    }

    public static func sha256(_ string: String) -> [UInt8] { sha256(Array(string.utf8)) }

    public static func hmacSHA256<K: ContiguousBytes, D: ContiguousBytes>(key: K, data: D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress?.assumingMemoryBound(to: UInt8.self),
                         d.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }

    public static func hmacSHA256<K: ContiguousBytes>(key: K, _ string: String) -> [UInt8] {
        hmacSHA256(key: key, data: Array(string.utf8))
    }

    /// Random bytes from OpenSSL's CSPRNG (tokens, key pairs).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        _ = RAND_bytes(&out, Int32(count))
        return out
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, as SigV4 and checksums print it.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(underestimatedCount * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
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
        let ctx = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(ctx) }
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { _ = EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
        }
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &out, &len)
        return out.hex
    }
}
