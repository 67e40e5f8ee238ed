import Foundation

/// ECS and CodeBuild: credentials from the container agent's HTTP endpoint.
struct ContainerCredentials: Sendable {
    let url: URL
    let authorization: String?
    let transport: HTTPTransport

    init?(environment env: [String: String], transport: HTTPTransport) {
        if let relative = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            guard let u = URL(string: "http://169.254.170.2" + relative) else { return nil }
            url = u
        } else if let full = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], let u = URL(string: full), !full.isEmpty {
            url = u
        } else {
            return nil
        }
        if let file = env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], let data = FileManager.default.contents(atPath: file) {
            authorization = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            authorization = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        }
        self.transport = transport
    }

    func fetch() throws -> AWSCredentials {
        var request = HTTPRequest(method: "GET", url: url)
        if let authorization { request.setHeader("Authorization", authorization) }
        let response: HTTPResponse
        do { response = try transport.send(request) } catch {
            throw CredentialsError("the container credentials endpoint \(url.host ?? "") did not answer: \(error)")
        }
        guard response.status == 200 else {
            throw CredentialsError("the container credentials endpoint answered HTTP \(response.status)")
        }
        return try TemporaryCredentialsDocument.parse(response.body, tokenKey: "Token", what: "container credentials")
    }
}

/// EC2 instance metadata, IMDSv2: a session token first, then the role's credentials; 1 s timeouts.
struct InstanceMetadataCredentials: Sendable {
    let endpoint: String
    let transport: HTTPTransport

    init(environment env: [String: String]) {
        var e = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while e.hasSuffix("/") { e.removeLast() }
        endpoint = e
        transport = CurlTransport(timeouts: .init(connectMs: 1_000, totalMs: 1_000), environment: env)
    }

    func fetch() throws -> AWSCredentials {
        let token = try transport.send(HTTPRequest(method: "PUT", url: URL(string: "\(endpoint)/latest/api/token")!,
                                                   headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
                                                   body: .data(Data())))
        guard token.status == 200 else { throw CredentialsError("instance metadata refused a session token (HTTP \(token.status))") }
        let headers = [(name: "X-aws-ec2-metadata-token", value: token.text)]
        let base = "\(endpoint)/latest/meta-data/iam/security-credentials/"
        let roles = try transport.send(HTTPRequest(method: "GET", url: URL(string: base)!, headers: headers))
        guard roles.status == 200, let role = roles.text.split(separator: "\n").first else {
            throw CredentialsError("this instance has no IAM role attached")
        }
        let creds = try transport.send(HTTPRequest(method: "GET", url: URL(string: base + role)!, headers: headers))
        guard creds.status == 200 else { throw CredentialsError("instance metadata answered HTTP \(creds.status) for role \(role)") }
        return try TemporaryCredentialsDocument.parse(creds.body, tokenKey: "Token", what: "instance metadata")
    }
}

/// `credential_process`: a program that prints the credentials as JSON (Version 1). Its
/// stderr goes to ours (that is where it says "run aws sso login"); it gets a time bound,
/// and it is stopped, not orphaned, when the bound passes or we are told to stop.
enum CredentialProcess {
    static let timeout: TimeInterval = 60

    static func run(_ command: String, profile: String, timeout: TimeInterval = CredentialProcess.timeout) throws -> AWSCredentials {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.standardError
        p.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }
        do { try p.run() } catch { throw CredentialsError("credential_process of profile \(UserInput.quoted(profile)) could not start") }
        let guardian = ChildGuardian(p)
        defer { guardian.release() }
        // Read while waiting, so a large output cannot block the program on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let box = Box()
        let readDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            box.data = out.fileHandleForReading.readDataToEndOfFile()
            readDone.signal()
        }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            guardian.stop()
            throw CredentialsError("credential_process of profile \(UserInput.quoted(profile)) gave no answer in \(Int(timeout)) s and was stopped")
        }
        guardian.yieldToSignal()
        readDone.wait()
        let data = box.data
        guard p.terminationStatus == 0 else {
            throw CredentialsError("credential_process of profile \(UserInput.quoted(profile)) exited with status \(p.terminationStatus) "
                + "(its own message, if any, is above)")
        }
        guard let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any], doc["Version"] as? Int == 1 else {
            throw CredentialsError("credential_process of profile \(UserInput.quoted(profile)) did not print a Version 1 JSON document")
        }
        return try TemporaryCredentialsDocument.parse(data, tokenKey: "SessionToken", what: "credential_process of profile \(UserInput.quoted(profile))")
    }
}

/// Stops a child (its whole process group, so a shell's own children go too) when asked,
/// or when a stop signal arrives while it runs; then the signal's usual exit.
final class ChildGuardian: @unchecked Sendable {
    private let process: Process
    private var sources: [DispatchSourceSignal] = []
    private let signalled = DispatchSemaphore(value: 0)

    /// When a stop signal ended the child, the handler is on its way to exit with the
    /// signal's code: the caller waits for that instead of reporting an exit status.
    func yieldToSignal() {
        guard signalled.wait(timeout: .now()) == .success else { return }
        while true { sleep(1) }
    }

    init(_ process: Process) {
        self.process = process
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let previous = signal(sig, SIG_IGN)
            // Already ignored: someone else handles it (deploy's wait); leave it so.
            guard previous.map({ unsafeBitCast($0, to: Int.self) }) != 1 else { continue }
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in
                self?.signalled.signal()
                self?.stop()
                exit(128 + sig)
            }
            s.resume()
            sources.append(s)
        }
    }

    /// The shell and what it started (sh forks even a single command): the child leads a
    /// process group of its own, so the group goes, not only the shell.
    func stop() {
        let pid = process.processIdentifier
        let target = getpgid(pid) == pid ? -pid : pid
        kill(target, SIGTERM)
        for _ in 0..<20 where process.isRunning || kill(target, 0) == 0 { usleep(50_000) }
        kill(target, SIGKILL)
        process.waitUntilExit()  // reaped: no zombie either
    }

    /// The child ended by itself: signals go back to their defaults.
    func release() {
        for s in sources { s.cancel() }
        for sig in [SIGINT, SIGTERM, SIGHUP] where !sources.isEmpty { signal(sig, SIG_DFL) }
        sources.removeAll()
    }
}

/// The JSON shape shared by the container endpoint, IMDS and credential_process.
enum TemporaryCredentialsDocument {
    static func parse(_ data: Data, tokenKey: String, what: String) throws -> AWSCredentials {
        guard let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let id = doc["AccessKeyId"] as? String, let secret = doc["SecretAccessKey"] as? String
        else { throw CredentialsError("\(what) answered without AccessKeyId and SecretAccessKey") }
        let expiration = (doc["Expiration"] as? String).flatMap(ISO8601.parse)
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: doc[tokenKey] as? String,
                              expiration: expiration)
    }
}

/// ISO 8601 timestamps as AWS writes them, with or without fractional seconds.
public enum ISO8601 {
    public static func parse(_ s: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: s) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: s)
    }

    public static func format(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }
}
