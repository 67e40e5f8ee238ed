import Foundation

/// Derived signing keys, cached per (secret, date, region, service): four HMACs saved per
/// request, and the key's pads pre-hashed. The last key used is checked first, without hashing.
public final class SigningKeyCache: @unchecked Sendable {
    public static let shared = SigningKeyCache()
    private struct Entry {
        let secret: String, date: String, region: String, service: String
        let key: HMACKey
    }
    private let lock = NSLock()
    private var last: Entry?
    private var keys: [String: HMACKey] = [:]

    public init() {}

    func key(secret: String, date: String, region: String, service: String) -> HMACKey {
        lock.lock()
        defer { lock.unlock() }
        if let e = last, e.date == date, e.region == region, e.service == service, e.secret == secret { return e.key }
        let id = "\(secret)\u{0}\(date)\u{0}\(region)\u{0}\(service)"
        let key: HMACKey
        if let k = keys[id] {
            key = k
        } else {
            let kDate = Crypto.hmacSHA256(key: Array("AWS4\(secret)".utf8), date)
            let kRegion = Crypto.hmacSHA256(key: kDate, region)
            let kService = Crypto.hmacSHA256(key: kRegion, service)
            key = HMACKey(Crypto.hmacSHA256(key: kService, "aws4_request"))
            if keys.count > 64 { keys.removeAll() }
            keys[id] = key
        }
        last = Entry(secret: secret, date: date, region: region, service: service, key: key)
        return key
    }
}

/// The last formatted timestamp, reused within the same second.
final class TimestampCache: @unchecked Sendable {
    static let shared = TimestampCache()
    private let lock = NSLock()
    private var second = -1
    private var text = ""

    func timestamp(_ s: Int, make: () -> String) -> String {
        lock.lock()
        defer { lock.unlock() }
        if s != second {
            text = make()
            second = s
        }
        return text
    }
}
