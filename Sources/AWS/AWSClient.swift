import Foundation

/// Signs and sends requests to AWS services: endpoint lookup, SigV4, retries with
/// backoff, clock-skew correction, and errors turned into `AWSError`.
public final class AWSClient: @unchecked Sendable {
    public let region: String
    public let credentials: CredentialsProvider
    public let endpoints: EndpointResolver
    public let transport: HTTPTransport
    public var retry: RetryPolicy
    /// Said to the user while waiting (a stalled endpoint being retried); stderr in the CLI.
    public var notice: (@Sendable (String) -> Void)?
    /// `--debug`: canonical requests and strings to sign, with secrets and signatures redacted.
    public var debug: (@Sendable (String) -> Void)?
    /// How far the server's clock is ahead of ours, learnt from a skew error.
    public private(set) var clockOffset: TimeInterval = 0
    public var now: @Sendable () -> Date = { Date() }
    let keyCache = SigningKeyCache()

    public init(region: String, credentials: CredentialsProvider, endpoints: EndpointResolver,
                transport: HTTPTransport = CurlTransport(), retry: RetryPolicy = RetryPolicy()) {
        self.region = region
        self.credentials = credentials
        self.endpoints = endpoints
        self.transport = transport
        self.retry = retry
    }

    /// One call. `path` is already percent-encoded; `query` pairs are encoded here.
    public func send(_ service: AWSService, method: String, path: String = "/", query: [(String, String)] = [],
                     headers: [(name: String, value: String)] = [], body: HTTPRequest.Body = .empty,
                     payloadHash: String? = nil, signed: Bool = true, bucket: String? = nil) throws -> HTTPResponse {
        let region = EndpointResolver.signingRegion(for: service, region: self.region)
        let (base, isCustom) = endpoints.endpoint(for: service, region: region)
        let url = Self.url(base: base, path: path, query: query, bucket: bucket, pathStyle: isCustom)
        var request = HTTPRequest(method: method, url: url, headers: headers, body: body)
        let payload: SigV4.Payload
        switch body {
        case .empty: payload = .empty
        case .data(let d): payload = payloadHash.map { .precomputed($0) } ?? .body([UInt8](d))
        case .file: payload = payloadHash.map { .precomputed($0) } ?? .unsigned
        }
        if case .data(let d) = body { request.setHeader("Content-Length", String(d.count)) }

        var attempt = 1
        var correctedSkew = false
        while true {
            var toSend = request
            if signed {
                let creds = try credentials.credentials()
                let signer = SigV4(credentials: creds, region: region, service: service.signingName,
                                   pathRules: service == .s3 ? .s3 : .standard, signsContentHash: service == .s3,
                                   keyCache: keyCache)
                let result = signer.sign(request, payload: payload, at: now().addingTimeInterval(clockOffset))
                toSend = result.request
                if let debug {
                    debug("canonical request:\n\(Redaction.redact(result.details.canonicalRequest, creds))")
                    debug("string to sign:\n\(result.details.stringToSign)")
                }
            }
            debug?("\(method) \(url.absoluteString) (attempt \(attempt) of \(retry.maxAttempts))")
            let response: HTTPResponse
            do {
                response = try transport.send(toSend)
            } catch let e as TransportError where e.isTransient && attempt < retry.maxAttempts && !(e.isStall && attempt > 1) {
                if e.isStall { notice?("\(e.message); trying once more") }
                backoff(&attempt, reason: e.message)
                continue
            }
            if (200..<300).contains(response.status) { return response }
            let error = AWSError.from(response, service: service.rawValue)
            if AWSError.clockSkewCodes.contains(error.code), !correctedSkew, let serverDate = Self.serverDate(response),
               abs(serverDate.timeIntervalSince(now())) > 240
            {
                clockOffset = serverDate.timeIntervalSince(now())
                correctedSkew = true
                debug?("clock skew of \(Int(clockOffset)) s corrected from the server's Date header")
                continue
            }
            if error.isRetryable && attempt < retry.maxAttempts {
                backoff(&attempt, reason: error.code)
                continue
            }
            throw error
        }
    }

    private func backoff(_ attempt: inout Int, reason: String) {
        let delay = retry.delay(beforeRetry: attempt)
        debug?("retrying after \(reason) in \(String(format: "%.2f", delay)) s")
        retry.sleep(delay)
        attempt += 1
    }

    static func serverDate(_ response: HTTPResponse) -> Date? {
        guard let value = response.header("date") else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: value)
    }

    /// Builds the request URL; S3 buckets go in the path on custom endpoints, in the host on AWS.
    static func url(base: URL, path: String, query: [(String, String)], bucket: String?, pathStyle: Bool) -> URL {
        var root = base.absoluteString
        while root.hasSuffix("/") { root.removeLast() }
        var fullPath = path.hasPrefix("/") ? path : "/" + path
        if let bucket {
            if pathStyle {
                fullPath = "/" + URIEncoding.encode(bucket) + (fullPath == "/" ? "" : fullPath)
            } else if let scheme = base.scheme, let host = base.host {
                root = "\(scheme)://\(bucket).\(host)" + (base.port.map { ":\($0)" } ?? "")
            }
        }
        var s = root + fullPath
        if !query.isEmpty {
            s += "?" + URIEncoding.query(query)
        }
        return URL(string: s)!
    }

    /// A form-encoded POST for the query protocol (STS, CloudFormation, ElastiCache, EC2, IAM).
    public func query(_ service: AWSService, action: String, version: String, parameters: [(String, String)] = [],
                      signed: Bool = true) throws -> XMLElement {
        var form = [("Action", action), ("Version", version)] + parameters
        form.sort { $0.0 < $1.0 }
        let body = URIEncoding.query(form)
        let response = try send(service, method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                body: .data(Data(body.utf8)), signed: signed)
        guard let xml = XMLElement.parse(response.body) else {
            throw AWSError(service: service.rawValue, code: "MalformedResponse", message: "the \(action) answer is not XML",
                           requestId: response.header("x-amzn-requestid"), status: response.status)
        }
        return xml
    }
}

/// Keeps secrets out of debug output.
enum Redaction {
    static func redact(_ text: String, _ creds: AWSCredentials) -> String {
        var t = text
        if let token = creds.sessionToken, !token.isEmpty { t = t.replacingOccurrences(of: token, with: "<redacted token>") }
        t = t.replacingOccurrences(of: creds.secretAccessKey, with: "<redacted>")
        return t
    }
}
