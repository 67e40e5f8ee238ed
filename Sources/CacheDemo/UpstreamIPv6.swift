import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the upstream can be reached over IPv6 at all: with `--egress ipv6` the function's
/// subnets have no IPv4 route out, so an upstream without an IPv6 address (an AAAA record)
/// would make every miss time out.
public enum UpstreamIPv6: Equatable, Sendable {
    case reachable(address: String)
    /// An IPv4 literal, a name with only A records, or one that does not resolve.
    case unreachable(reason: String)

    public static func check(_ upstream: UpstreamURL) -> UpstreamIPv6 {
        let host = upstream.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if IPv4Block("\(host)/32") != nil {
            return .unreachable(reason: "\(host) is an IPv4 address")
        }
        if let address = resolve(host, family: AF_INET6) {
            return .reachable(address: address)
        }
        let why = resolve(host, family: AF_UNSPEC) == nil ? "does not resolve" : "has no IPv6 address (no AAAA record)"
        return .unreachable(reason: "\(host) \(why)")
    }

    /// The first address of `family` the resolver gives for `host`, as text.
    static func resolve(_ host: String, family: Int32) -> String? {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        defer { if let result { freeaddrinfo(result) } }
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result, let address = first.pointee.ai_addr else {
            return nil
        }
        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        getnameinfo(address, first.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
        return String(cString: text)
    }

    /// What is wrong with the options' upstream for them, if anything: only a stack that
    /// leaves over IPv6 needs the upstream to have an address there. Deploy refuses with it,
    /// template warns with it.
    public static func problem(for o: StackOptions) -> String? {
        o.egressOverIPv6 ? check(o.upstream).problem : nil
    }

    /// The refusal (deploy) or warning (template), in one line.
    public var problem: String? {
        guard case .unreachable(let reason) = self else { return nil }
        return "--egress ipv6 needs an upstream with an IPv6 address, and \(reason): the function's subnets have no "
            + "IPv4 route out, so every miss would time out; use --egress nat-instance or nat-gateway"
    }
}
