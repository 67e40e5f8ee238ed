/// An IPv4 CIDR block, parsed strictly: four octets, a prefix, and a base
/// address aligned to that prefix (so `10.10.1.0/16` is rejected, not rounded).
public struct IPv4Block: Equatable, Sendable, CustomStringConvertible {
    public let base: UInt32
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var base: UInt32 = 0
        for octet in octets {
            guard let n = UInt32(octet), n <= 255, octet.count <= 3 else { return nil }
            base = base << 8 | n
        }
        guard prefix == 0 || base & ~(UInt32.max << (32 - prefix)) == 0 else { return nil }
        self.base = base
        self.prefix = prefix
    }

    init(base: UInt32, prefix: Int) {
        self.base = base
        self.prefix = prefix
    }

    public var description: String {
        "\(base >> 24).\(base >> 16 & 255).\(base >> 8 & 255).\(base & 255)/\(prefix)"
    }

    /// The `index`th block of the given prefix inside this one.
    public func subnet(_ index: Int, prefix newPrefix: Int) -> IPv4Block {
        precondition(newPrefix >= prefix && index < 1 << (newPrefix - prefix))
        return IPv4Block(base: base + UInt32(index) << (32 - newPrefix), prefix: newPrefix)
    }
}
