import Foundation

/// STS: who am I, and temporary credentials for a role.
public struct STS: Sendable {
    public let client: AWSClient
    static let version = "2011-06-15"

    public init(client: AWSClient) { self.client = client }

    public struct Identity: Sendable {
        public let account: String
        public let arn: String
        public let userId: String
    }

    public func getCallerIdentity() throws -> Identity {
        let xml = try client.query(.sts, action: "GetCallerIdentity", version: Self.version)
        guard let result = xml.find("GetCallerIdentityResult"), let account = result.value("Account"),
              let arn = result.value("Arn")
        else { throw AWSError(service: "sts", code: "MalformedResponse", message: "no Account in GetCallerIdentity", requestId: nil, status: 200) }
        return Identity(account: account, arn: arn, userId: result.value("UserId") ?? "")
    }

    public func assumeRole(roleArn: String, sessionName: String, externalId: String? = nil,
                           durationSeconds: Int? = nil) throws -> AWSCredentials {
        var params = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { params.append(("ExternalId", externalId)) }
        if let durationSeconds { params.append(("DurationSeconds", String(durationSeconds))) }
        return try credentials(from: client.query(.sts, action: "AssumeRole", version: Self.version, parameters: params))
    }

    /// Unsigned: the token is the credential (GitHub Actions OIDC, EKS).
    public func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) throws -> AWSCredentials {
        try credentials(from: client.query(.sts, action: "AssumeRoleWithWebIdentity", version: Self.version,
                                           parameters: [("RoleArn", roleArn), ("RoleSessionName", sessionName),
                                                        ("WebIdentityToken", token)], signed: false))
    }

    private func credentials(from xml: XMLElement) throws -> AWSCredentials {
        guard let c = xml.find("Credentials"), let id = c.value("AccessKeyId"), let secret = c.value("SecretAccessKey") else {
            throw AWSError(service: "sts", code: "MalformedResponse", message: "no Credentials in the answer", requestId: nil, status: 200)
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: c.value("SessionToken"),
                              expiration: c.value("Expiration").flatMap(ISO8601.parse))
    }
}
