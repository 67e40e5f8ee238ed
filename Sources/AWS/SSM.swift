import Foundation

/// Systems Manager Parameter Store (JSON protocol): the public parameters that name AWS's
/// current AMIs.
public struct SSM: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    /// Whether a parameter exists, its value not decrypted (deploy's check of an upstream secret).
    public func exists(_ name: String) throws -> Bool {
        do {
            _ = try parameter(name)
            return true
        } catch let e as AWSError where e.code.hasSuffix("ParameterNotFound") {
            return false
        }
    }

    /// The value of one parameter (a plain String parameter, such as an AMI id).
    public func parameter(_ name: String) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ["Name": name], options: [.sortedKeys])
        let response = try client.send(.ssm, method: "POST", headers: [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AmazonSSM.GetParameter"),
        ], body: .data(data))
        guard let doc = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let value = (doc["Parameter"] as? [String: Any])?["Value"] as? String
        else { throw AWSError(service: "ssm", code: "MalformedResponse", message: "no Parameter.Value for \(name)", requestId: nil, status: 200) }
        return value
    }
}
