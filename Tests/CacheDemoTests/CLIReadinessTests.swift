import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The CLI tried as a new (and a careless) user would: one line and the right exit code for
/// each mistake, never a trap, never a write through something that is not a regular file.
@Suite struct CLIReadinessTests {
    /// Runs the binary with no AWS configuration at all, so nothing here can reach AWS.
    func bare(_ args: [String], env: [String: String] = [:]) throws -> ProcessResult {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)").path
        return try cachedemo(args, environment: ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                                                 "AWS_EC2_METADATA_DISABLED": "true"].merging(env) { $1 })
    }

    func expectOneLine(_ r: ProcessResult, _ status: Int32, _ mention: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "not one line: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("cachedemo: error: "), sourceLocation: sourceLocation)
        #expect(r.stderr.contains(mention), "\(r.stderr) lacks \(mention)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains(".swift:"), sourceLocation: sourceLocation)
    }

    /// argument-parser's own errors read like the tool's: one line, 64, the same in every command.
    @Test(arguments: [
        (["template", "--cache-ttl", "abc"], "--cache-ttl"), (["deploy", "--cache-ttl", "abc"], "--cache-ttl"),
        (["local", "--cache-ttl", "abc"], "--cache-ttl"), (["template", "--engine", "memcached"], "'redis' and 'valkey'"),
        (["cost", "--output", "JSON"], "'text' and 'json'"), (["status", "--nope"], "--nope"),
        (["template", "--cache-ttl", "9223372036854775807"], "10 years"), (["template", "--cache-ttl=-1"], "negative"),
        (["cost", "--region", "nowhere-1"], "not an AWS region"), (["whoami", "--region", "nowhere-1"], "not an AWS region"),
        (["smoke-test", "--stack-name", "1bad"], "is not a stack name"), (["invalidate", "--stack-name", "a_b", "--all"], "is not a stack name"),
        (["deploy", "--stack-name", "1bad"], "is not a stack name"),
        (["cost", "--region", "us-east-1", "--requests-per-month", "inf"], "--requests-per-month"),
        (["cost", "--region", "us-east-1", "--gb-per-month", "inf", "--output", "json"], "--gb-per-month"),
        (["cost", "--region", "us-east-1", "--avg-duration-ms", "1e308"], "--avg-duration-ms"),
        (["deploy", "--tags", "app=other"], "set by cachedemo"), (["deploy", "--tags", "a=1", "a=2"], "given twice"),
        (["deploy", "--tags", "aws:x=1"], "reserved by AWS"), (["deploy", "--parameter-overrides", "CodeS3Key=a", "CodeS3Key=b"], "given twice"),
        (["template", "--upstream-url", "http://user:pass@example.com"], "user name or password"),
        (["template", "--upstream-url", "https://example.com:99999"], "not a TCP port"),
        (["template", "--upstream-url", "https://example.com/a\nb"], "line break"),
        (["template", "--upstream-url", "https://example.com/?q=1"], "query"),
        (["template", "--engine-version", "99"], "use one of 6.2, 7.0, 7.1"),
        (["template", "--engine", "valkey", "--engine-version", "7.1"], "use one of 7.2"),
        (["template", "--throttle-rate", "0"], "--throttle-rate"), (["local", "--throttle-burst", "0"], "--throttle-burst"),
        (["status", "--events", "-5"], "--events"), (["whoami", "--profile", "missing"], "profile 'missing'"),
        (["template", "--cache-ttl", "-1"], "negative"), (["template", "--memory", "-1"], "--memory"),
        (["local", "--upstream-url", "http://user:pass@example.com"], "user name or password"),
        (["local", "--upstream-url", "http://example.com:99999"], "not a TCP port"),
        (["cost", "--region", "us-east-1", "--gb-per-month", "1", "--requests-per-month", "1e-320", "--output", "json"],
         "less than one request"),
        (["template", "--throttle-rate", "1e-300"], "--throttle-rate"), (["template", "--runtime", "nodejs99.x"], "nodejs24.x"),
        (["template", "--node-type", "cache.t4g.micro2"], "not an ElastiCache node type"),
        (["whoami", "--endpoint-url", "garbage"], "--endpoint-url"), (["whoami", "--endpoint-url", "http://127.0.0.1:99999"], "port"),
        (["smoke-test", "--endpoint", "http://127.0.0.1:99999"], "port"),
        (["template", "--cache-auth", "iam", "--engine-version", "6.2"], "Redis OSS 7.0 or newer"),
        (["template", "--cache-auth", "password"], "'token' and 'iam'"),
    ] as [([String], String)])
    func usageMistakesAreOneLineAndExit64(_ args: [String], _ mention: String) throws {
        expectOneLine(try bare(args), 64, mention)
    }

    /// Issue 20: a value with a trailing newline or a control character, a value far past what
    /// AWS takes, a flag that would be ignored: one line naming it (escaped), exit 64, before
    /// any file is read or call made (no AWS configuration here at all).
    @Test(arguments: [
        (["destroy", "--stack-name", "t1\n", "--yes"], #"--stack-name 't1\n'"#),
        (["status", "--stack-name", "t1\t"], #"'t1\t'"#),
        (["whoami", "--region", "us-east-1\n"], #"--region 'us-east-1\n'"#),
        (["deploy", "--region", "us-east-1\n"], #"'us-east-1\n'"#),
        (["template", "--vpc-id", "vpc-01234567\n", "--subnet-ids", "subnet-01234567"], #"--vpc-id 'vpc-01234567\n'"#),
        (["template", "--vpc-id", "vpc-01234567", "--subnet-ids", "subnet-01234567\n"], #"'subnet-01234567\n'"#),
        (["template", "--node-type", "cache.t4g.micro\n"], #"'cache.t4g.micro\n'"#),
        (["deploy", "--node-type", "cache.t4g.micro\u{1B}[31m"], #"\u{1B}"#),
        (["template", "--egress", "nat-instance", "--nat-instance-type", "t4g.nano\n"], #"'t4g.nano\n'"#),
        (["template", "--egress", "nat-instance", "--nat-instance-type", "t4g." + String(repeating: "a", count: 5000)],
         "(5004 characters) is not an EC2 instance type"),
        (["template", "--upstream-url", "https://example.com/" + String(repeating: "a", count: 100_000)], "at most 2048"),
        (["template", "--throttle-rate", "0x10"], "'0x10' is not a decimal number"),
        (["cost", "--region", "us-east-1", "--gb-per-month", "0x10"], "'0x10' is not a decimal number"),
        (["cost", "--region", "us-east-1", "--requests-per-month", "nan"], "'nan' is not a decimal number"),
        (["deploy", "--wait-timeout", "0x1"], "'0x1' is not a decimal number"),
        (["cost", "--region", "us-east-1", "--gb-stored", "2"], "add --serverless (or --compare)"),
        (["cost", "--region", "us-east-1", "--avg-item-kb", "4"], "add --serverless (or --compare)"),
        (["deploy", "--artifact-bucket", ""], "--artifact-bucket '' is not an S3 bucket name"),
        (["deploy", "--artifact-bucket", "My_Bucket"], "is not an S3 bucket name"),
        (["deploy", "--artifact-bucket", "a..b"], "no '..'"), (["destroy", "--artifact-bucket", "192.168.5.4", "--yes"], "IP address"),
        (["deploy", "--artifact-bucket", "xn--bucket"], "S3 reserves 'xn--'"),
        (["destroy", "--artifact-bucket", "logs-s3alias", "--yes"], "S3 reserves '-s3alias'"),
        (["deploy", "--parameter-overrides", "CacheUserId=someone"], "CacheUserId is cachedemo's own"),
        (["deploy", "--parameter-overrides", "ServerlessCacheName=c1", "--serverless"], "ServerlessCacheName is cachedemo's own"),
        (["template", "--vpc-id", "vpc-01234567", "--subnet-ids", "subnet-01234567", "--subnet-ids", "subnet-01234567"], "names a subnet twice"),
        (["template", "--serverless", "--max-data-gb", "5", "--cache-ttl", "0"], "evicts only keys with a TTL"),
        (["cost", "--region", "us-east-1", "--serverless", "--max-data-gb", "5", "--cache-ttl", "0"], "evicts only keys with a TTL"),
        (["local", "--node", ""], "--node is empty"), (["local", "--redis-server", ""], "--redis-server is empty"),
        (["smoke-test", "--endpoint", "http://127.0.0.1:9", "--error-path", ""], "--error-path '' is not a path"),
        (["smoke-test", "--endpoint", "http://127.0.0.1:9", "--path", "no-slash"], "--path 'no-slash' is not a path"),
        // Flags first, then AWS: a bad flag is said before the stack is looked up (there is no AWS here).
        (["smoke-test", "--stack-name", "nosuch", "--requests", "0"], "--requests 0"),
        (["smoke-test", "--stack-name", "nosuch", "--junit-xml", "/dev/null"], "/dev/null"),
    ] as [([String], String)])
    func carelessValuesAreOneEscapedLineAndExit64(_ args: [String], _ mention: String) throws {
        let r = try bare(args)
        let status: Int32 = args.contains("--junit-xml") ? 1 : 64  // an unwritable report is a failed operation, said first
        expectOneLine(r, status, mention)
        #expect(r.stderr.count < 400, "a long value is cut in the message: \(r.stderr.count) characters")
    }

    /// A repeated --subnet-ids adds its subnets (argument-parser alone keeps the last).
    @Test func aRepeatedSubnetIdsFlagAddsItsSubnets() throws {
        let r = try bare(["template", "--vpc-id", "vpc-01234567", "--multi-az",
                          "--subnet-ids", "subnet-01234567", "--subnet-ids", "subnet-89abcdef"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("subnet-01234567") && r.stdout.contains("subnet-89abcdef"))
    }

    /// Issue 20.10: bash completion offers file names after every flag that names a file to
    /// write, run the way bash runs it (the generated script sourced, its function called).
    @Test(arguments: [
        (["smoke-test", "--junit-xml"], ["report.xml", "sub"]), (["deploy", "--timeline-svg"], ["chart.svg", "sub"]),
        (["template", "--output-file"], ["chart.svg", "notes.txt", "report.xml", "sub"]),
        (["package", "--output-file"], ["lambda.zip", "sub"]), (["diagram", "--output-file"], ["chart.svg", "notes.txt", "report.xml", "sub"]),
    ] as [([String], [String])])
    func bashCompletionOffersFileNames(_ words: [String], _ expected: [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["report.xml", "chart.svg", "notes.txt", "lambda.zip"] where !(words.first == "package" && name != "lambda.zip") {
            FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data())
        }
        try Data(try bare(["--generate-completion-script", "bash"]).stdout.utf8).write(to: dir.appendingPathComponent("sub/complete.bash"))
        let script = """
            cd "$1"; source sub/complete.bash; shift
            COMP_WORDS=(cachedemo "$@" ""); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="cachedemo $* "; COMP_POINT=${#COMP_LINE}
            _cachedemo cachedemo "" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let r = try run("/bin/bash", ["-c", script, "bash", dir.path] + words)
        let offered = Set(r.stdout.split(separator: "\n").map(String.init))
        for name in expected { #expect(offered.contains(name), "\(words): \(offered.sorted()) lacks \(name)") }
        #expect(!offered.contains("--output"), "flags offered where a file name goes: \(offered.sorted())")
    }

    @Test func environmentMistakesAreNamedOneLineExit1() throws {
        let creds = ["AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x"]
        expectOneLine(try bare(["whoami"], env: creds.merging(["AWS_ENDPOINT_URL": "garbage"]) { $1 }), 1, "AWS_ENDPOINT_URL 'garbage'")
        expectOneLine(try bare(["whoami"], env: creds.merging(["AWS_ENDPOINT_URL_STS": "ftp://x"]) { $1 }), 1, "AWS_ENDPOINT_URL_STS")
        expectOneLine(try bare(["whoami"], env: creds.merging(["AWS_CA_BUNDLE": "/nonexistent/ca.pem"]) { $1 }), 1, "/nonexistent/ca.pem")
        expectOneLine(try bare(["whoami"], env: creds.merging(["AWS_PROFILE": "gone"]) { $1 }), 1, "profile 'gone' (from AWS_PROFILE)")
        // A loopback endpoint is `cachedemo local`: no AWS region is asked for, the key file is named.
        expectOneLine(try bare(["invalidate", "--endpoint", "http://127.0.0.1:9", "/x"], env: ["TMPDIR": "/var/tmp"]), 1,
                      "no purge key for http://127.0.0.1:9")
    }

    /// stdout full or closed: one line and exit 1, not a trap with a backtrace.
    @Test func aFullOrClosedStdoutIsOneLineAndExit1() throws {
        let full = Process()
        full.executableURL = URL(fileURLWithPath: Repo.binary)
        full.arguments = ["template"]
        full.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        let err = Pipe()
        full.standardError = err
        try full.run()
        full.waitUntilExit()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(full.terminationStatus == 1)
        #expect(said == "cachedemo: error: cannot write to standard output: No space left on device\n")

        // A reader that went away, with SIGPIPE ignored (as many CI runners and Python parents do).
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let closed = Process()
        closed.executableURL = URL(fileURLWithPath: "/bin/bash")
        closed.arguments = ["-c", "trap '' PIPE; exec \"$0\" cost --region us-east-1 --output json", Repo.binary]
        closed.standardOutput = pipe.fileHandleForWriting
        let closedErr = Pipe()
        closed.standardError = closedErr
        try closed.run()
        closed.waitUntilExit()
        let closedSaid = String(decoding: closedErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(closed.terminationStatus == 1)
        #expect(closedSaid.contains("cannot write to standard output: Broken pipe"))
    }

    /// Help, version and completion scripts are output like any other: a full stdout fails.
    @Test(arguments: [["--help"], ["--version"], ["--generate-completion-script", "bash"], ["deploy", "--help"]])
    func helpToAFullStdoutIsAnError(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Repo.binary)
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
    }

    /// Every output-file flag: regular files and new names only, parent folders made.
    @Test func outputFilesAreRegularFilesOnly() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("real.txt").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target))
        let link = dir.appendingPathComponent("link.txt").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for args in [["template", "--output-file"], ["diagram", "--output-file"], ["package", "--output-file"],
                     ["smoke-test", "--endpoint", "http://127.0.0.1:9", "--junit-xml"]] {
            for (path, mention) in [("/dev/full", "is a device"), (dir.path, "is a directory"), (link, "is a symbolic link")] {
                let r = try bare(args + [path])
                #expect(r.status == 1, "\(args) \(path): \(r.stderr)")
                #expect(r.stderr.contains(mention), "\(args) \(path): \(r.stderr)")
            }
            // New nested names are made, folders and all.
            let nested = dir.appendingPathComponent("a/b/\(args[0]).out").path
            _ = try bare(args + [nested])
            #expect(FileManager.default.fileExists(atPath: nested), "\(args)")
        }
        // The link and what it points to are untouched; /dev/full is still a device.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test func everyCommandsHelpShowsAnExampleAndTheREADMEMentionsCompletion() throws {
        for command in ["template", "diagram", "package", "deploy", "status", "destroy", "cost", "smoke-test", "invalidate", "local", "whoami"] {
            let help = try bare([command, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Examples:\n  cachedemo \(command)"), "\(command)")
        }
        let readme = try String(contentsOf: Repo.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("--generate-completion-script"))
        #expect(try bare(["--generate-completion-script", "bash"]).stdout.contains("cachedemo"))
    }

    @Test func aSmokeTestWhoseFirstCallFailedHasNoMissLatency() throws {
        let r = try bare(["smoke-test", "--endpoint", "http://127.0.0.1:9", "--output", "json"])
        #expect(r.status == 1)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["missMs"] == nil)
        let text = try bare(["smoke-test", "--endpoint", "http://127.0.0.1:9"])
        let missLine = text.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("miss ") }
        #expect(missLine?.hasSuffix("n/a") == true, "\(text.stdout)")
    }
}
