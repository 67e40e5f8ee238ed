/// RFC 3986 percent-encoding as SigV4 defines it: everything but A-Z a-z 0-9 - . _ ~
/// is encoded, with upper-case hex. Works on UTF-8 bytes; no Foundation on this path.
enum URIEncoding {
    private static let unreserved: [Bool] = (0..<256).map { b in
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Appends the encoding of `bytes` to `out`. `keepSlash` leaves `/` as is (paths);
    /// `keepEscapes` leaves an existing `%XX` as is (S3 paths, already encoded once).
    static func encode<S: Sequence>(_ bytes: S, into out: inout [UInt8], keepSlash: Bool = false,
                                    keepEscapes: Bool = false) where S.Element == UInt8 {
        let input = Array(bytes)
        var i = 0
        while i < input.count {
            let b = input[i]
            if unreserved[Int(b)] || (keepSlash && b == 0x2F)
                || (keepEscapes && b == 0x25 && i + 2 < input.count && isHex(input[i + 1]) && isHex(input[i + 2]))
            {
                out.append(b)
            } else {
                out.append(0x25)
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 15)])
            }
            i += 1
        }
    }

    static func encode(_ s: String, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        encode(s.utf8, into: &out, keepSlash: keepSlash)
        return String(decoding: out, as: UTF8.self)
    }

    /// `name=value&...`, each side encoded: query strings, form bodies, presigned parameters.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// Undoes `%XX` escapes; a `%` not followed by two hex digits stays as it is. `+` stays `+`.
    static func decode<S: Collection>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            if input[i] == 0x25, i + 2 < input.count, let h = hexValue(input[i + 1]), let l = hexValue(input[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(input[i])
                i += 1
            }
        }
        return out
    }

    private static func isHex(_ b: UInt8) -> Bool { hexValue(b) != nil }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}
