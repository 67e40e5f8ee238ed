import CCurl
import Foundation

/// HTTP over libcurl. One easy handle per transport keeps connections alive between
/// calls; TLS verification is always on; AWS_CA_BUNDLE and the proxy variables
/// (HTTPS_PROXY, NO_PROXY: libcurl reads them itself) are honoured.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    public struct Timeouts: Sendable {
        public var connectMs: Int
        public var totalMs: Int
        /// No byte either way for this long ends the attempt (an endpoint that accepts and
        /// never answers), well before `totalMs`, which only bounds slow transfers.
        public var stallSeconds: Int
        public init(connectMs: Int = 5_000, totalMs: Int = 120_000, stallSeconds: Int = 30) {
            self.connectMs = connectMs
            self.totalMs = totalMs
            self.stallSeconds = stallSeconds
        }
    }

    private let handle: UnsafeMutableRawPointer
    private let lock = NSLock()
    private let timeouts: Timeouts
    private let caBundle: String?

    nonisolated(unsafe) private static var globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) ; return () }()

    public init(timeouts: Timeouts = Timeouts(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        _ = Self.globalInit
        handle = curl_easy_init()
        self.timeouts = timeouts
        caBundle = environment["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    deinit { curl_easy_cleanup(handle) }

    /// AWS_CA_BUNDLE must name a readable file; otherwise curl's own wording ("problem with
    /// the SSL CA cert") would hide which path is wrong.
    public static func checkEnvironment(_ env: [String: String]) throws(ConfigError) {
        guard let bundle = env["AWS_CA_BUNDLE"], !bundle.isEmpty else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: bundle, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: bundle)
        else { throw ConfigError("AWS_CA_BUNDLE names \(bundle), which is not a readable file; fix the path or unset it") }
    }

    /// What one transfer collects; handed to curl's callbacks through a raw pointer.
    private final class Exchange {
        var status = 0
        var headers: [(name: String, value: String)] = []
        var body = Data()
        var upload: FileHandle?
    }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        curl_easy_reset(handle)
        let exchange = Exchange()
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            try? exchange.upload?.close()
        }

        ccurl_setopt_string(handle, CURLOPT_URL, request.url.absoluteString)
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caBundle { ccurl_setopt_string(handle, CURLOPT_CAINFO, caBundle) }
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, timeouts.connectMs)
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeouts.totalMs)
        ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, timeouts.stallSeconds)
        ccurl_setopt_long(handle, CURLOPT_ACCEPT_ENCODING, 0)
        ccurl_setopt_write(handle) { ptr, size, count, ctx in
            let ex = Unmanaged<Exchange>.fromOpaque(ctx!).takeUnretainedValue()
            ex.body.append(UnsafeRawPointer(ptr!).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        ccurl_setopt_header(handle) { ptr, size, count, ctx in
            let ex = Unmanaged<Exchange>.fromOpaque(ctx!).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: size * count), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("HTTP/") {
                ex.headers.removeAll()  // a new response (after 100 Continue or a redirect)
            } else if let colon = line.firstIndex(of: ":") {
                ex.headers.append((String(line[..<colon]).lowercased(),
                                   line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            return size * count
        }
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)

        var headers = request.headers
        switch request.body {
        case .empty:
            if request.method == "HEAD" {
                ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
            } else if request.method != "GET" {
                ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
            }
        case .data(let data):
            // curl keeps its own copy, and can resend it when a reused connection was dropped.
            ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(data.count))
            _ = data.withUnsafeBytes { ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)) }
            if request.method != "POST" { ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method) }
        case .file(let path, let size):
            guard let file = FileHandle(forReadingAtPath: path) else {
                throw TransportError("cannot read \(path)", isTransient: false)
            }
            exchange.upload = file
            try startUpload(size: size, method: request.method, context: context)
        }
        if case .empty = request.body {} else { headers.append(("Expect", "")) }
        var removeContentType = false
        if case .data = request.body, request.header("Content-Type") == nil {
            removeContentType = true  // curl would add a form content type of its own, and it is not signed
        }
        for (name, value) in headers {
            // "Name;" is curl's way to send a header with an empty value.
            headerList = curl_slist_append(headerList, value.isEmpty && name != "Expect" ? "\(name);" : "\(name): \(value)")
        }
        if removeContentType { headerList = curl_slist_append(headerList, "Content-Type:") }
        ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let host = request.url.host ?? ""
            if code == CURLE_OPERATION_TIMEDOUT {
                throw TransportError("no answer from \(host) (\(request.method)) within \(timeouts.stallSeconds) s",
                                     isTransient: true, isStall: true)
            }
            let message = String(cString: curl_easy_strerror(code))
            throw TransportError("\(request.method) \(host): \(message)", isTransient: Self.transientCodes.contains(code))
        }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: exchange.headers, body: exchange.body)
    }

    /// Streams a file body through a read callback rather than loading it.
    private func startUpload(size: Int64, method: String, context: UnsafeMutableRawPointer) throws {
        ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        ccurl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(size))
        if method != "PUT" { ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) }
        ccurl_setopt_read(handle) { ptr, size, count, ctx in
            let ex = Unmanaged<Exchange>.fromOpaque(ctx!).takeUnretainedValue()
            let room = size * count
            guard let chunk = try? ex.upload?.read(upToCount: room), !chunk.isEmpty else { return 0 }
            chunk.withUnsafeBytes { buf in
                ptr!.withMemoryRebound(to: UInt8.self, capacity: chunk.count) { dst in
                    _ = buf.copyBytes(to: UnsafeMutableBufferPointer(start: dst, count: chunk.count))
                }
            }
            return chunk.count
        }
        ccurl_setopt_pointer(handle, CURLOPT_READDATA, context)
        // Lets curl start the body again when it must resend on a new connection.
        ccurl_setopt_seek(handle) { ctx, offset, origin in
            let ex = Unmanaged<Exchange>.fromOpaque(ctx!).takeUnretainedValue()
            guard origin == SEEK_SET, let file = ex.upload else { return 1 }  // CURL_SEEKFUNC_FAIL
            do { try file.seek(toOffset: UInt64(offset)) } catch { return 1 }
            return 0
        }
        ccurl_setopt_pointer(handle, CURLOPT_SEEKDATA, context)
    }

    private static let transientCodes: Set<CURLcode> = [
        CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING,
        CURLE_COULDNT_RESOLVE_HOST, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR, CURLE_SEND_FAIL_REWIND,
    ]
}
