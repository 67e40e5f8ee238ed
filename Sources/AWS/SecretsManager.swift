import Foundation

/// The Secrets Manager calls deploy makes (JSON protocol): whether a secret exists, without
/// reading its value.
public struct SecretsManager: Sendable {
    let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    /// The secret's ARN; nil when there is no such secret (ResourceNotFoundException).
    public func describe(_ id: String) throws -> String? {
        let data = try JSONSerialization.data(withJSONObject: ["SecretId": id], options: [.sortedKeys])
        do {
            let response = try client.send(.secretsmanager, method: "POST", headers: [
                ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.DescribeSecret"),
            ], body: .data(data))
            let doc = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            return doc?["ARN"] as? String ?? id
        } catch let e as AWSError where e.code.hasSuffix("ResourceNotFoundException") {
            return nil
        }
    }
}
