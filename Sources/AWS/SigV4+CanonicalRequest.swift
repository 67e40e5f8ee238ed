import Foundation

/// Stage 1 of SigV4: the canonical request, built on bytes (it runs on every request).
extension SigV4 {
    // MARK: Stage 1: the canonical request

    public struct CanonicalRequest: Sendable {
        /// UTF-8 bytes: hashed as they are; turned into a String only when someone asks.
        public let bytes: [UInt8]
        public let signedHeaderBytes: [UInt8]
        public var text: String { String(decoding: bytes, as: UTF8.self) }
        public var signedHeaders: String { String(decoding: signedHeaderBytes, as: UTF8.self) }
    }

    public func canonicalRequest(_ request: Request, payloadHash: String) -> CanonicalRequest {
        var out: [UInt8] = []
        out.reserveCapacity(768)
        for b in request.method.utf8 { out.append(b >= 0x61 && b <= 0x7A ? b - 32 : b) }
        out.append(0x0A)
        appendCanonicalPath(request.path, to: &out)
        out.append(0x0A)
        Self.appendCanonicalQuery(request.query, to: &out)
        out.append(0x0A)
        let signed = Self.appendCanonicalHeaders(request.headers, to: &out)
        out.append(0x0A)
        out.append(contentsOf: signed)
        out.append(0x0A)
        out.append(contentsOf: payloadHash.utf8)
        return CanonicalRequest(bytes: out, signedHeaderBytes: signed)
    }

    func appendCanonicalPath(_ path: String, to out: inout [UInt8]) {
        switch pathRules {
        case .standard:
            if path == "/" { out.append(0x2F); return }
            URIEncoding.encode(Self.removeDotSegments(path).utf8, into: &out, keepSlash: true)
        case .s3:
            if path.isEmpty { out.append(0x2F) } else {
                URIEncoding.encode(path.utf8, into: &out, keepSlash: true, keepEscapes: true)
            }
        }
    }

    /// RFC 3986 dot-segment removal, plus collapsing repeated slashes as AWS requires.
    static func removeDotSegments(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for seg in path.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == ".." { if !segments.isEmpty { segments.removeLast() }; continue }
            segments.append(seg)
        }
        let lead = path.hasPrefix("/") ? "/" : ""
        let trail = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return lead + segments.joined(separator: "/") + trail
    }

    /// Each name and value decoded and encoded again, then sorted by name, then value.
    static func appendCanonicalQuery(_ query: String, to out: inout [UInt8]) {
        guard !query.isEmpty else { return }
        var pairs: [([UInt8], [UInt8])] = []
        for piece in query.utf8.split(separator: 0x26, omittingEmptySubsequences: true) {
            let eq = piece.firstIndex(of: 0x3D)
            let rawKey = eq.map { piece[piece.startIndex..<$0] } ?? piece[...]
            let rawValue = eq.map { piece[piece.index(after: $0)...] } ?? piece[piece.endIndex...]
            var k: [UInt8] = [], v: [UInt8] = []
            URIEncoding.encode(URIEncoding.decode(rawKey), into: &k)
            URIEncoding.encode(URIEncoding.decode(rawValue), into: &v)
            pairs.append((k, v))
        }
        pairs.sort { a, b in a.0 == b.0 ? a.1.lexicographicallyPrecedes(b.1) : a.0.lexicographicallyPrecedes(b.0) }
        for (i, p) in pairs.enumerated() {
            if i > 0 { out.append(0x26) }
            out.append(contentsOf: p.0)
            out.append(0x3D)
            out.append(contentsOf: p.1)
        }
    }

    static let unsignedHeaderBytes: [[UInt8]] = unsignedHeaders.map { Array($0.utf8) }

    /// A string's UTF-8 bytes without copying the string when it is native (it nearly always is).
    @inline(__always)
    static func withBytes(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        if s.utf8.withContiguousStorageIfAvailable(body) == nil {
            var copy = s
            copy.withUTF8(body)
        }
    }

    /// Appends `name:value\n` per header: names lower-cased and sorted, repeated headers
    /// joined with commas in order, values trimmed with inner runs of white space (folded
    /// lines included) collapsed to one space. Returns the signed-headers list.
    /// Works on raw bytes in one scratch buffer: this runs on every request.
    static func appendCanonicalHeaders(_ headers: [(name: String, value: String)], to out: inout [UInt8]) -> [UInt8] {
        var capacity = 1
        for h in headers { capacity += h.name.utf8.count + h.value.utf8.count }
        var signed: [UInt8] = []
        signed.reserveCapacity(128)
        // Stack buffers: the headers' bytes, and where each name and value sits in them.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buf in
            withUnsafeTemporaryAllocation(of: (Int, Int, Int).self, capacity: max(headers.count, 1)) { entries in
                var pos = 0, count = 0
                for index in headers.indices {
                    let nameStart = pos
                    Self.withBytes(headers[index].name) { n in
                        for b in n {
                            buf[pos] = b &- 0x41 < 26 ? b | 0x20 : b
                            pos += 1
                        }
                    }
                    let nameLength = pos - nameStart
                    if unsignedHeaderBytes.contains(where: { u in
                        u.count == nameLength && u[0] == buf[nameStart]
                            && u.withUnsafeBufferPointer { memcmp($0.baseAddress!, buf.baseAddress! + nameStart, nameLength) == 0 }
                    }) {
                        pos = nameStart
                        continue
                    }
                    let nameEnd = pos
                    Self.withBytes(headers[index].value) { v in
                        // Most values hold no white space at all: copy them whole.
                        var plain = true
                        for b in v where b <= 0x20 {
                            plain = false
                            break
                        }
                        if plain {
                            if let src = v.baseAddress, !v.isEmpty { (buf.baseAddress! + pos).update(from: src, count: v.count) }
                            pos += v.count
                            return
                        }
                        var pendingSpace = false
                        for b in v {
                            if b <= 0x20 && (b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C) {
                                pendingSpace = pos > nameEnd
                                continue
                            }
                            if pendingSpace {
                                buf[pos] = 0x20
                                pos += 1
                                pendingSpace = false
                            }
                            buf[pos] = b
                            pos += 1
                        }
                    }
                    entries[count] = (nameStart, nameEnd, pos)
                    count += 1
                }
                let base = buf.baseAddress!
                /// Byte order of two names; ties keep the headers' order (insertion sort is stable).
                func less(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Bool {
                    let la = a.1 - a.0, lb = b.1 - b.0
                    let c = memcmp(base + a.0, base + b.0, min(la, lb))
                    return c != 0 ? c < 0 : la < lb
                }
                for i in 1..<max(count, 1) {
                    let e = entries[i]
                    var j = i - 1
                    while j >= 0 && less(e, entries[j]) {
                        entries[j + 1] = entries[j]
                        j -= 1
                    }
                    entries[j + 1] = e
                }
                var i = 0
                while i < count {
                    let name = UnsafeBufferPointer(rebasing: buf[entries[i].0..<entries[i].1])
                    if !signed.isEmpty { signed.append(0x3B) }
                    signed.append(contentsOf: name)
                    out.append(contentsOf: name)
                    out.append(0x3A)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[entries[i].1..<entries[i].2]))
                    var j = i + 1
                    while j < count && !less(entries[i], entries[j]) {
                        out.append(0x2C)
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[entries[j].1..<entries[j].2]))
                        j += 1
                    }
                    out.append(0x0A)
                    i = j
                }
            }
        }
        return signed
    }
}
