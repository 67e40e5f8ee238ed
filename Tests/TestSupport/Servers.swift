import Foundation

import AWS

/// A helper process that prints one line when ready and stops when its stdin closes.
public final class HelperProcess: @unchecked Sendable {
    public let process = Process()
    private let stdin = Pipe()
    public let firstLine: String

    public init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        firstLine = text.split(separator: "\n").first.map(String.init) ?? ""
    }

    public func stop() {
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}

public enum Paths {
    /// Tests/Fakes: small Python servers standing in for AWS endpoints the tests need to control.
    public static let fakes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fakes")
    public static let repo = fakes.deletingLastPathComponent().deletingLastPathComponent()
    public static let fakeServers = fakes.appendingPathComponent("fake_servers.py").path
    public static let fakeCloudFormation = fakes.appendingPathComponent("fake_cloudformation.py").path
    public static let faultProxy = fakes.appendingPathComponent("fault_proxy.py").path
}

/// The signature-checking AWS emulator: the one scripts/test started (CACHEDEMO_EMULATOR),
/// or one started here for this test process.
public final class Emulator: @unchecked Sendable {
    public let endpoint: String
    public let accessKeyId: String
    public let secretAccessKey: String
    public let account: String
    private let helper: HelperProcess?

    public static let shared: Emulator = {
        do { return try Emulator() } catch { fatalError("the AWS emulator could not start: \(error)") }
    }()

    private init() throws {
        var line = ProcessInfo.processInfo.environment["CACHEDEMO_EMULATOR"]
        if line == nil {
            helper = try HelperProcess(Paths.repo.appendingPathComponent("scripts/aws-emulator").path, ["--stop-on-stdin-close"])
            line = helper!.firstLine
        } else {
            helper = nil
        }
        let doc = try JSONSerialization.jsonObject(with: Data(line!.utf8)) as! [String: String]
        endpoint = doc["endpoint"]!
        accessKeyId = doc["accessKeyId"]!
        secretAccessKey = doc["secretAccessKey"]!
        account = doc["account"]!
    }

    public func client(region: String = "us-east-1", secret: String? = nil, accessKey: String? = nil,
                retry: RetryPolicy = RetryPolicy(maxAttempts: 1)) -> AWSClient {
        let creds = AWSCredentials(accessKeyId: accessKey ?? accessKeyId, secretAccessKey: secret ?? secretAccessKey)
        return AWSClient(region: region, credentials: StaticCredentials(creds, source: "test"),
                         endpoints: EndpointResolver(explicit: URL(string: endpoint), environment: [:]), retry: retry)
    }

    /// The environment a cachedemo process needs to use the emulator.
    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["AWS_ACCESS_KEY_ID"] = accessKeyId
        env["AWS_SECRET_ACCESS_KEY"] = secretAccessKey
        env["AWS_ENDPOINT_URL"] = endpoint
        env["AWS_REGION"] = "us-east-1"
        env.removeValue(forKey: "AWS_PROFILE")
        return env
    }
}
