import Foundation

/// The AWS services cachedemo calls, with what signing and endpoint lookup need.
public enum AWSService: String, CaseIterable, Sendable {
    case sts, s3, cloudformation, elasticache, ec2, lambda, apigatewayv2, secretsmanager, pricing, iam, logs, ssm

    /// The name in the SigV4 scope.
    public var signingName: String {
        switch self {
        case .apigatewayv2: return "apigateway"
        default: return rawValue
        }
    }

    /// The host prefix of the regional endpoint.
    var hostPrefix: String {
        switch self {
        case .pricing: return "api.pricing"
        case .apigatewayv2: return "apigateway"
        default: return rawValue
        }
    }

    /// The suffix of AWS_ENDPOINT_URL_<SERVICE>, from the service id.
    public var endpointVariable: String {
        switch self {
        case .apigatewayv2: return "AWS_ENDPOINT_URL_APIGATEWAYV2"
        case .secretsmanager: return "AWS_ENDPOINT_URL_SECRETS_MANAGER"
        case .logs: return "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"
        default: return "AWS_ENDPOINT_URL_\(rawValue.uppercased())"
        }
    }
}

/// The endpoint for a service: an override the user gave, or the regional default.
public struct EndpointResolver: Sendable {
    public let explicit: URL?
    let environment: [String: String]

    public init(explicit: URL?, environment: [String: String]) {
        self.explicit = explicit
        self.environment = environment
    }

    /// Endpoint URLs from the environment are checked like --endpoint-url, up front, so a
    /// typo is named instead of surfacing as "Couldn't resolve host" on the first call.
    public static func checkEnvironment(_ env: [String: String]) throws(ConfigError) {
        for name in ["AWS_ENDPOINT_URL"] + AWSService.allCases.map(\.endpointVariable) {
            guard let v = env[name], !v.isEmpty else { continue }
            guard Self.httpURL(v) != nil else { throw ConfigError("\(name) \(UserInput.quoted(v)) is not an http(s) URL; fix or unset it") }
        }
    }

    /// An http(s) URL with a host and, if it names one, a TCP port (1-65535): the one rule
    /// for every endpoint a user gives, by flag, profile or environment.
    public static func httpURL(_ text: String) -> URL? {
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = c.host, !host.isEmpty, c.port.map({ (1...65535).contains($0) }) ?? true,
              let url = c.url
        else { return nil }
        return url
    }

    /// --endpoint-url, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then AWS's own.
    public func endpoint(for service: AWSService, region: String) -> (url: URL, isCustom: Bool) {
        if let explicit { return (explicit, true) }
        for name in [service.endpointVariable, "AWS_ENDPOINT_URL"] {
            if let v = environment[name], !v.isEmpty, let url = URL(string: v) { return (url, true) }
        }
        let suffix = Self.dnsSuffix(region: region)
        switch service {
        case .iam:
            let host = ["aws-cn": "iam.cn-north-1.amazonaws.com.cn", "aws-us-gov": "iam.us-gov.amazonaws.com"][
                Self.partition(region: region)] ?? "iam.amazonaws.com"
            return (URL(string: "https://\(host)")!, false)
        case .pricing:
            return (URL(string: "https://api.pricing.us-east-1.amazonaws.com")!, false)
        default:
            return (URL(string: "https://\(service.hostPrefix).\(region).\(suffix)")!, false)
        }
    }

    /// Where a service's requests are signed: a global service in its partition's home region.
    public static func signingRegion(for service: AWSService, region: String) -> String {
        switch service {
        case .pricing: return "us-east-1"
        case .iam: return ["aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"][partition(region: region)] ?? "us-east-1"
        default: return region
        }
    }

    /// The partition's DNS suffix: aws, aws-cn, aws-us-gov.
    public static func dnsSuffix(region: String) -> String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }

    public static func partition(region: String) -> String {
        region.hasPrefix("cn-") ? "aws-cn" : region.hasPrefix("us-gov-") ? "aws-us-gov" : "aws"
    }
}

/// Where the region comes from: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile.
public enum RegionResolver {
    public static func resolve(explicit: String?, environment: [String: String],
                               profile: [String: String]?) throws(ConfigError) -> (region: String, source: String) {
        if let r = explicit, !r.isEmpty { return (try validated(r, "--region"), "--region") }
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let r = environment[name], !r.isEmpty { return (try validated(r, name), name) }
        }
        if let r = profile?["region"], !r.isEmpty { return (try validated(r, "the profile's region"), "profile") }
        throw ConfigError("no AWS region is set; pass --region, set AWS_REGION, or add 'region = ...' to your profile")
    }

    /// Whether the text is a region name's shape (us-east-1, eu-central-2, us-gov-west-1).
    public static func isRegionName(_ region: String) -> Bool { UserInput.matches(region, #"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}"#) }

    static func validated(_ region: String, _ source: String) throws(ConfigError) -> String {
        guard isRegionName(region) else { throw ConfigError("\(source) \(UserInput.quoted(region)) is not an AWS region name (e.g. us-east-1)") }
        return region
    }
}
