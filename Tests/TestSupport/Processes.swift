import Foundation

/// Where the checkout is, found from this file, so tests can read committed files and run the binary.
public enum Repo {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The built `cachedemo`; scripts/test builds it before the tests run.
    public static var binary: String {
        ProcessInfo.processInfo.environment["CACHEDEMO_BIN"] ?? root.appendingPathComponent(".build/debug/cachedemo").path
    }
}

public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program to completion and collects what it printed.
public func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
         environment: [String: String]? = nil, cwd: URL? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    if let cwd { p.currentDirectoryURL = cwd }
    // Files rather than pipes: a large output can never block the child.
    let dir = FileManager.default.temporaryDirectory
    let outURL = dir.appendingPathComponent("out-\(UUID().uuidString)")
    let errURL = dir.appendingPathComponent("err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs a program found on PATH.
public func runTool(_ name: String, _ arguments: [String]) throws -> ProcessResult {
    try run("/usr/bin/env", [name] + arguments)
}

public func cachedemo(_ arguments: String...) throws -> ProcessResult { try run(Repo.binary, arguments) }

/// Runs the binary with a given environment.
public func cachedemo(_ arguments: [String], environment: [String: String]) throws -> ProcessResult {
    try run(Repo.binary, arguments, environment: environment)
}

public func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cachedemo-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A running program whose output is read until a marker shows it is ready.
public struct StartedProcess {
    public let process: Process
    /// What the watched stream said up to (and including) the marker.
    public let text: String
    /// The rest of the watched stream.
    public let output: FileHandle
}

/// Starts a program and reads its stdout (or stderr) until `marker` appears or it ends.
public func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                  watchStderr: Bool = false, until marker: String) throws -> StartedProcess {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let pipe = Pipe()
    if watchStderr {
        p.standardError = pipe
        p.standardOutput = FileHandle.nullDevice
    } else {
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
    }
    try p.run()
    var text = ""
    while !text.contains(marker) {
        let chunk = pipe.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        text += String(decoding: chunk, as: UTF8.self)
    }
    return StartedProcess(process: p, text: text, output: pipe.fileHandleForReading)
}

/// Runs cachedemo on a pty made by script(1), typing `answer` (lines) at its prompts.
public func cachedemoOnTerminal(_ args: [String], answer: String, environment: [String: String]) throws -> ProcessResult {
    let command = ([Repo.binary] + args).map { "'\($0)'" }.joined(separator: " ")
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("answer")
    try Data((answer + "\n").utf8).write(to: input)
    return try run("/bin/sh", ["-c", "script -qec \"$0\" /dev/null < \"$1\"", command, input.path], environment: environment)
}

/// Renders an SVG file with librsvg, as a browser would, and returns the PNG's pixel size.
public func renderedSize(ofSVG svg: URL) throws -> (width: Int, height: Int) {
    let png = svg.deletingPathExtension().appendingPathExtension("png")
    let r = try runTool("rsvg-convert", [svg.path, "-o", png.path])
    guard r.status == 0 else { throw RenderError(message: r.stderr) }
    let header = try Data(contentsOf: png).prefix(24)
    guard header.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { throw RenderError(message: "not a PNG") }
    func int(_ r: Range<Int>) -> Int { header[r].reduce(0) { $0 << 8 | Int($1) } }
    return (int(16..<20), int(20..<24))
}

public struct RenderError: Error { public let message: String }
