import AWS

/// Before anything is uploaded: is what the stack asks for sold where it goes? Not every
/// instance type is offered in every Availability Zone (t4g is missing in some), and a
/// cache node type may not be sold in the region at all; CloudFormation would otherwise
/// fail half-way through a create and roll everything back.
public struct OfferingsCheck: Sendable {
    let offerings: Offerings
    let progress: DeployProgress

    public init(client: AWSClient, progress: DeployProgress) {
        offerings = Offerings(client: client)
        self.progress = progress
    }

    /// Small NAT instance types to name instead, when the chosen one is missing somewhere.
    static let natAlternatives = ["t4g.nano", "t3.nano", "t3a.nano", "t4g.micro", "t3.micro", "t3a.micro"]

    public func check(_ o: StackOptions) throws {
        if o.natInstanceCount > 0 { try checkNatInstanceType(o) }
        if !o.serverless { try checkCacheNodeType(o) }
    }

    /// NAT instance k sits in the stack's k-th zone, as `Fn::GetAZs` orders them.
    func checkNatInstanceType(_ o: StackOptions) throws {
        let candidates = [o.natInstanceType] + Self.natAlternatives.filter { $0 != o.natInstanceType }
        let zones: [String], offered: [String: Set<String>]
        do {
            zones = Array(try offerings.stackZones().prefix(o.natInstanceCount))
            offered = try offerings.instanceTypes(candidates, in: zones)
        } catch let e as AWSError {
            progress.info("note: could not ask EC2 which zones offer \(o.natInstanceType) (\(e.code)); deploying without that check")
            return
        }
        guard !zones.isEmpty else { return }
        guard let zone = zones.first(where: { offered[$0]?.contains(o.natInstanceType) != true }) else { return }
        let instead = candidates.dropFirst().first { type in zones.allSatisfy { offered[$0]?.contains(type) == true } }
        throw DeployError(.failed, "--nat-instance-type \(o.natInstanceType) is not offered in \(zone), "
            + "\(zones.count > 1 ? "one of the zones" : "the zone") this stack puts NAT instances in (\(zones.joined(separator: ", "))); "
            + (instead.map { "use --nat-instance-type \($0), offered in \(zones.count > 1 ? "all of them" : "it")" }
                ?? "pick a type offered there (aws ec2 describe-instance-type-offerings --location-type availability-zone "
                + "--filters Name=location,Values=\(zone))"))
    }

    /// ElastiCache lists no offerings per zone; a node type the region sells has reserved-node
    /// offerings there. When the question cannot be asked (no permission), it is said, not guessed.
    func checkCacheNodeType(_ o: StackOptions) throws {
        let sold: Bool
        do { sold = try offerings.sellsCacheNodeType(o.nodeType) } catch let e as AWSError {
            progress.info("note: could not ask ElastiCache whether \(offerings.client.region) sells \(o.nodeType) "
                + "(\(e.code)); deploying without that check")
            return
        }
        guard !sold else { return }
        throw DeployError(.failed, "--node-type \(o.nodeType) is not sold in \(offerings.client.region) (ElastiCache lists no "
            + "offering of it there); pick one the region has, such as cache.t4g.micro or cache.t3.micro")
    }

    /// A create that failed for want of capacity, said in one line with what to do: AWS picks
    /// the zones (`Fn::GetAZs`), so the way out is another node type, a later try, or another region.
    public static func explainCapacity(_ reason: String) -> String? {
        guard reason.contains("InsufficientCacheClusterCapacity") || reason.contains("is not available in") else { return nil }
        let zone = reason.range(of: #"[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]"#, options: .regularExpression).map { String(reason[$0]) }
        return "ElastiCache has no capacity for this node type in \(zone ?? "one of the stack's zones") right now; deploy again "
            + "later, with another --node-type, or in another region"
    }
}
