import AWS
import Foundation

/// Calls a cache endpoint the way a user would and checks that it caches:
/// a fresh key misses, then hits with the same body; errors are not cached;
/// then N hits are timed.
public struct SmokeTest {
    public struct Options: Sendable {
        public var endpoint: URL
        /// The path and query to call; a cache-busting parameter is added to it.
        public var path = "/?name=cachedemo"
        /// A path the upstream answers with an error, if it has one.
        public var errorPath: String?
        public var hitRequests = 20
        public init(endpoint: URL) { self.endpoint = endpoint }
    }

    public struct Check: Sendable {
        public let name: String
        public let passed: Bool
        public let detail: String
        public let seconds: Double
    }

    public struct Report: Sendable {
        public var checks: [Check] = []
        public var missMs: Double?
        public var hitMs: [Double] = []
        /// What the function said of its instance copy (`x-cache-instance-copy`): "on", or
        /// "off; <why>"; nil when the endpoint sent no diagnostics (an older function).
        public var instanceCopy: String?
        /// How many of the timed hits the instance copy answered (`x-cache-from: instance`).
        public var instanceHits = 0
        public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
        public var hitP50: Double? { percentile(0.50) }
        public var hitP95: Double? { percentile(0.95) }

        func percentile(_ p: Double) -> Double? {
            guard !hitMs.isEmpty else { return nil }
            let sorted = hitMs.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    let options: Options
    let transport: HTTPTransport
    let bust: String
    /// Told when a call keeps it waiting (`slowAfter`), so a silent endpoint is never silence.
    let progress: @Sendable (String) -> Void
    var slowAfter: TimeInterval = 3

    public init(options: Options, transport: HTTPTransport, bust: String = Crypto.randomBytes(8).hex,
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.transport = transport
        self.bust = bust
        self.progress = progress
    }

    public func run() -> Report {
        var report = Report()
        let url = self.url(options.path)
        var first: HTTPResponse

        let miss = timed("the first call (a MISS: the function asks the upstream)") { try get(url) }
        switch miss.result {
        case .success(let r):
            let ok = r.status == 200 && r.header("x-cache") == "MISS"
            // PASS: the function answered, but the upstream's answer may not be stored (its
            // Cache-Control, a Set-Cookie, its status): say what to look at.
            let why = r.header("x-cache") == "PASS"
                ? "; the upstream's answer is not storable (no-store, private, no-cache, Set-Cookie, Vary: *, or its status \(r.status)): "
                    + "check its headers (Cache-Control: \(r.header("cache-control") ?? "none")); for no-cache on everything, deploy with --cache-control ignore"
                : ""
            report.checks.append(Check(name: "first call is a MISS", passed: ok,
                                       detail: "HTTP \(r.status), x-cache \(r.header("x-cache") ?? "absent")" + why, seconds: miss.ms / 1000))
            // Nothing after a failed first call means anything (and each call could wait as
            // long again): the report stops at the check that failed.
            guard ok else { return report }
            report.missMs = miss.ms
            first = r
        case .failure(let e):
            report.checks.append(Check(name: "first call is a MISS", passed: false, detail: "\(e)", seconds: miss.ms / 1000))
            return report
        }

        let hit = timed("the second call (a HIT)") { try get(url) }
        switch hit.result {
        case .success(let r):
            let isHit = r.status == 200 && r.header("x-cache") == "HIT"
            report.checks.append(Check(name: "second call is a HIT", passed: isHit,
                                       detail: "HTTP \(r.status), x-cache \(r.header("x-cache") ?? "absent")", seconds: hit.ms / 1000))
            // Two answers are the same cached answer only when both are one: two errors with
            // the same text are not a hit.
            report.checks.append(Check(name: "HIT body equals MISS body", passed: isHit && r.body == first.body,
                                       detail: "\(r.body.count) bytes vs \(first.body.count)" + (isHit ? "" : "; the second call was no HIT"),
                                       seconds: 0))
            if isHit { report.checks += upstreamHeaderChecks(miss: first, hit: r, url: url) }
        case .failure(let e):
            report.checks.append(Check(name: "second call is a HIT", passed: false, detail: "\(e)", seconds: hit.ms / 1000))
        }

        if let errorPath = options.errorPath {
            let errorURL = self.url(errorPath)
            let first = timed("the error path") { try get(errorURL) }, second = timed("the error path again") { try get(errorURL) }
            if case .success(let a) = first.result, case .success(let b) = second.result {
                // The function must have answered both (x-cache present): a 429 or 403 from the
                // gateway proves nothing about caching.
                let fromFunction = a.header("x-cache") != nil && b.header("x-cache") != nil
                let ok = fromFunction && !(200..<300).contains(a.status) && b.status == a.status && b.header("x-cache") != "HIT"
                report.checks.append(Check(name: "upstream error is not cached", passed: ok,
                                           detail: "HTTP \(a.status) then \(b.status), x-cache \(b.header("x-cache") ?? "absent")"
                                               + (fromFunction ? "" : "; answered by the gateway, not the function"),
                                           seconds: (first.ms + second.ms) / 1000))
            } else {
                report.checks.append(Check(name: "upstream error is not cached", passed: false,
                                           detail: "the error path could not be called", seconds: 0))
            }
        }

        var hitsOK = 0, calls = 0
        let started = Date()
        for i in 0..<options.hitRequests {
            let h = timed("timed hit \(i + 1) of \(options.hitRequests)") { try get(url) }
            calls += 1
            guard case .success(let r) = h.result, r.header("x-cache") == "HIT" else { break }  // timing stops at the first miss
            hitsOK += 1
            report.hitMs.append(h.ms)
            if r.header(Self.fromHeader) == "instance" { report.instanceHits += 1 }
            report.instanceCopy = r.header(Self.instanceCopyHeader) ?? report.instanceCopy
        }
        report.checks.append(Check(name: "\(options.hitRequests) timed calls are HITs", passed: hitsOK == options.hitRequests,
                                   detail: hitsOK == options.hitRequests ? "\(hitsOK) of \(options.hitRequests) were HITs"
                                       : "call \(calls) of \(options.hitRequests) was no HIT; timing stopped there",
                                   seconds: Date().timeIntervalSince(started)))
        return report
    }

    func url(_ pathAndQuery: String) -> URL {
        let separator = pathAndQuery.contains("?") ? "&" : "?"
        return cacheURL(options.endpoint, pathAndQuery + separator + "cachedemo-smoke=" + bust)!
    }

    /// Asks the function to say where a hit came from and whether its instance copy is on;
    /// without this header it says neither, so API users see no internals.
    static let diagnosticsHeader = "x-cachedemo-diagnostics"
    static let fromHeader = "x-cache-from"
    static let instanceCopyHeader = "x-cache-instance-copy"

    private func get(_ url: URL, headers: [(name: String, value: String)] = []) throws -> HTTPResponse {
        try transport.send(HTTPRequest(method: "GET", url: url, headers: [(Self.diagnosticsHeader, "1")] + headers))
    }

    /// Headers that differ per answer by design, or that the cache and API Gateway set.
    static let perAnswerHeaders: Set<String> = ["date", "age", "x-cache", "x-cache-from", "x-cache-instance-copy", "apigw-requestid",
                                                "content-length", "connection", "keep-alive", "transfer-encoding", "x-amzn-requestid",
                                                "x-amzn-trace-id", "x-amz-apigw-id", "via", "server"]

    /// What makes it an HTTP cache, checked without knowing the upstream: the upstream's own
    /// headers come back on the HIT as on the MISS, and where it sent a validator, a
    /// conditional request is answered 304 from the cache.
    private func upstreamHeaderChecks(miss: HTTPResponse, hit: HTTPResponse, url: URL) -> [Check] {
        let own = miss.headers.filter { !Self.perAnswerHeaders.contains($0.name) }
        let lost = own.filter { h in hit.header(h.name) != h.value }.map(\.name)
        var checks = [Check(name: "the upstream's headers survive a HIT", passed: lost.isEmpty,
                            detail: lost.isEmpty ? "\(own.count) header\(own.count == 1 ? "" : "s") the same: "
                                + own.map(\.name).joined(separator: ", ")
                                : "changed or missing on the HIT: " + lost.joined(separator: ", "), seconds: 0)]
        let condition: (name: String, value: String)? = miss.header("etag").map { ("If-None-Match", $0) }
            ?? miss.header("last-modified").map { ("If-Modified-Since", $0) }
        guard let condition else { return checks }
        let asked = timed("a conditional call (\(condition.name))") { try get(url, headers: [condition]) }
        switch asked.result {
        case .success(let r):
            checks.append(Check(name: "\(condition.name) is answered 304", passed: r.status == 304,
                                detail: "HTTP \(r.status), x-cache \(r.header("x-cache") ?? "absent")", seconds: asked.ms / 1000))
        case .failure(let e):
            checks.append(Check(name: "\(condition.name) is answered 304", passed: false, detail: "\(e)", seconds: asked.ms / 1000))
        }
        return checks
    }

    /// Runs one call and times it; a call still waiting after `slowAfter` says what it waits
    /// for (once, and again every `slowAfter` × 3), so a silent endpoint is never silence.
    private func timed<T>(_ what: String, _ body: () throws -> T) -> (result: Result<T, Error>, ms: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let progress = self.progress, every = slowAfter
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + every, repeating: every * 3)
        timer.setEventHandler {
            let waited = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            progress("still waiting for \(what): \(Int(waited)) s; the endpoint took the request and has not answered yet")
        }
        timer.resume()
        let result = Result { try body() }
        timer.cancel()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
    }
}

extension SmokeTest.Report {
    /// One line on the instance copy, as the smoke test saw it on the timed hits.
    public var instanceCopySummary: String {
        guard let said = instanceCopy else { return "unknown (the function sent no diagnostics)" }
        if said == "on" { return "on (\(instanceHits) of \(hitMs.count) timed hits from the instance copy)" }
        let reason = said.hasPrefix("off;") ? said.dropFirst(4).trimmingCharacters(in: .whitespaces) : said
        return "off (\(reason)); every hit is a Redis round trip"
    }

    /// JUnit XML, which every CI system renders.
    public func junitXML(suiteName: String = "cachedemo smoke-test") -> String {
        let failures = checks.filter { !$0.passed }.count
        let total = checks.reduce(0) { $0 + $1.seconds }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites tests=\"\(checks.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", total))\">\n"
        xml += "  <testsuite name=\"\(xmlEscape(suiteName))\" tests=\"\(checks.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", total))\">\n"
        for c in checks {
            xml += "    <testcase classname=\"cachedemo.smoke\" name=\"\(xmlEscape(c.name))\" time=\"\(String(format: "%.3f", c.seconds))\""
            if c.passed {
                xml += " />\n"
            } else {
                xml += ">\n      <failure message=\"\(xmlEscape(c.detail))\" />\n    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    public var jsonObject: [String: Any] {
        var o: [String: Any] = [
            "passed": passed,
            "checks": checks.map { ["name": $0.name, "passed": $0.passed, "detail": $0.detail] },
            "hitRequests": hitMs.count,
        ]
        if let missMs { o["missMs"] = (missMs * 1000).rounded() / 1000 }
        o["instanceCopy"] = instanceCopy ?? NSNull()
        o["instanceCopyHits"] = instanceHits
        if let hitP50 { o["hitP50Ms"] = (hitP50 * 1000).rounded() / 1000 }
        if let hitP95 { o["hitP95Ms"] = (hitP95 * 1000).rounded() / 1000 }
        return o
    }
}
