import Foundation

/// An error answer from an AWS service, whatever its protocol (query XML, S3 XML, JSON).
public struct AWSError: Error, CustomStringConvertible, Sendable {
    public let service: String
    public let code: String
    public let message: String
    public let requestId: String?
    public let status: Int

    public init(service: String, code: String, message: String, requestId: String?, status: Int) {
        self.service = service
        self.code = code
        // Always one line: whatever a server sends, the user gets a single line.
        self.message = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        self.requestId = requestId
        self.status = status
    }

    /// One line: the service's code and message, and the request id for AWS support.
    public var description: String {
        var s = "\(service): \(code)"
        if !message.isEmpty { s += ": \(message)" }
        if let requestId, !requestId.isEmpty { s += " (request id \(requestId))" }
        return s
    }

    /// Reads the error out of a non-2xx response.
    public static func from(_ response: HTTPResponse, service: String) -> AWSError {
        let requestId = response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
        if let xml = XMLElement.parse(response.body), let error = xml.find("Error") {
            return AWSError(service: service, code: error.value("Code") ?? "HTTP\(response.status)",
                            message: error.value("Message")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
                            requestId: xml.value("RequestId") ?? error.value("RequestId") ?? requestId,
                            status: response.status)
        }
        if let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            let rawCode = response.header("x-amzn-errortype") ?? json["__type"] as? String ?? json["code"] as? String
                ?? json["Code"] as? String ?? "HTTP\(response.status)"
            let code = String(rawCode.split(separator: ":").first ?? "").split(separator: "#").last.map(String.init) ?? rawCode
            let message = json["message"] as? String ?? json["Message"] as? String ?? ""
            return AWSError(service: service, code: code, message: message, requestId: requestId, status: response.status)
        }
        let code: String
        switch response.status {
        case 404: code = "NotFound"
        case 403: code = "Forbidden"
        case 400: code = "BadRequest"
        default: code = "HTTP\(response.status)"
        }
        var text = String(decoding: response.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<") { text = "" }  // an HTML error page says nothing the status does not
        return AWSError(service: service, code: code, message: text, requestId: requestId, status: response.status)
    }

    /// Codes the SDKs' standard retry mode treats as throttling.
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "IDPCommunicationError",
    ]
    static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch",
        "AuthFailure", "RequestInTheFuture",
    ]

    public var isThrottling: Bool { AWSError.throttlingCodes.contains(code) || status == 429 }
    public var isRetryable: Bool {
        isThrottling || AWSError.transientCodes.contains(code) || [500, 502, 503, 504].contains(status)
    }
}
