import Foundation

/// The S3 calls deploy needs: an artifact bucket, kept private and tidy, and its objects.
public struct S3: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    /// Object keys are encoded once per segment, `/` kept.
    static func keyPath(_ key: String) -> String { "/" + URIEncoding.encode(key, keepSlash: true) }

    @discardableResult
    func send(_ method: String, bucket: String, key: String? = nil, query: [(String, String)] = [],
              headers: [(name: String, value: String)] = [], body: Data? = nil) throws -> HTTPResponse {
        try client.send(.s3, method: method, path: key.map(Self.keyPath) ?? "/", query: query, headers: headers,
                        body: body.map { .data($0) } ?? .empty, bucket: bucket)
    }

    public func headBucket(_ bucket: String) throws -> Bool { try exists(bucket, key: nil) }

    /// Creates the bucket; outside us-east-1 the region goes in a LocationConstraint.
    public func createBucket(_ bucket: String) throws {
        var body: Data?
        if client.region != "us-east-1" {
            body = Data("""
                <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                <LocationConstraint>\(client.region)</LocationConstraint></CreateBucketConfiguration>
                """.utf8)
        }
        try send("PUT", bucket: bucket, body: body)
    }

    public func putBucketEncryption(_ bucket: String) throws {
        let xml = """
            <ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>\
            <ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>\
            <BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>
            """
        try sendXML("PUT", bucket: bucket, subresource: "encryption", xml)
    }

    public func putPublicAccessBlock(_ bucket: String) throws {
        let xml = """
            <PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>\
            <BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>\
            </PublicAccessBlockConfiguration>
            """
        try sendXML("PUT", bucket: bucket, subresource: "publicAccessBlock", xml)
    }

    /// Expires objects under `prefix` that carry the tag `key=value`, `days` after they were
    /// last written (S3 counts from the object's creation), and cleans up abandoned multipart
    /// uploads (a rule of its own: S3 refuses that action in a rule filtered by tag).
    public func putLifecycle(_ bucket: String, prefix: String, expiringTag tag: (key: String, value: String), days: Int) throws {
        let xml = """
            <LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Rule><ID>\(Self.expireRuleID)</ID><Filter><And><Prefix>\(xmlEscape(prefix))</Prefix>\
            <Tag><Key>\(xmlEscape(tag.key))</Key><Value>\(xmlEscape(tag.value))</Value></Tag></And></Filter>\
            <Status>Enabled</Status><Expiration><Days>\(days)</Days></Expiration></Rule>\
            <Rule><ID>cachedemo-abort-incomplete-uploads</ID><Filter><Prefix>\(xmlEscape(prefix))</Prefix></Filter>\
            <Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>\
            </AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>
            """
        try sendXML("PUT", bucket: bucket, subresource: "lifecycle", xml)
    }

    /// The rule that expires retired artifacts; its presence says the bucket's rules are current.
    public static let expireRuleID = "cachedemo-expire-retired-artifacts"

    /// The bucket's lifecycle rules as S3 returns them (nil when it has none).
    public func lifecycle(_ bucket: String) throws -> XMLElement? {
        do {
            return XMLElement.parse(try send("GET", bucket: bucket, query: [("lifecycle", "")]).body)
        } catch let e as AWSError where e.code == "NoSuchLifecycleConfiguration" || e.status == 404 {
            return nil
        }
    }

    /// Replaces an object's tags.
    public func putObjectTagging(_ bucket: String, key: String, tags: [(key: String, value: String)]) throws {
        let xml = "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>"
            + tags.map { "<Tag><Key>\(xmlEscape($0.key))</Key><Value>\(xmlEscape($0.value))</Value></Tag>" }.joined()
            + "</TagSet></Tagging>"
        let body = Data(xml.utf8)
        try send("PUT", bucket: bucket, key: key, query: [("tagging", "")],
                 headers: [("Content-MD5", Data(Crypto.md5(body)).base64EncodedString()), ("Content-Type", "application/xml")],
                 body: body)
    }

    /// An object's tags.
    public func objectTagging(_ bucket: String, key: String) throws -> [String: String] {
        let response = try send("GET", bucket: bucket, key: key, query: [("tagging", "")])
        var tags: [String: String] = [:]
        for t in XMLElement.parse(response.body)?.child("TagSet")?.all("Tag") ?? [] { tags[t.value("Key") ?? ""] = t.value("Value") ?? "" }
        return tags
    }

    public func deleteObjectTagging(_ bucket: String, key: String) throws {
        try send("DELETE", bucket: bucket, key: key, query: [("tagging", "")])
    }

    public func deleteObject(_ bucket: String, key: String) throws {
        try send("DELETE", bucket: bucket, key: key)
    }

    /// The object's URL as other services read it: path-style on a custom endpoint,
    /// virtual-hosted on AWS (the same rule requests follow).
    public func objectURL(_ bucket: String, key: String) -> String {
        let (endpoint, custom) = client.endpoints.endpoint(for: .s3, region: client.region)
        return AWSClient.url(base: endpoint, path: Self.keyPath(key), query: [], bucket: bucket, pathStyle: custom).absoluteString
    }

    /// Whether the object exists (HEAD; a 404 is an answer, not an error).
    public func headObject(_ bucket: String, key: String) throws -> Bool { try exists(bucket, key: key) }

    /// HEAD of the bucket or an object: a 404 is an answer, not an error.
    private func exists(_ bucket: String, key: String?) throws -> Bool {
        do {
            try send("HEAD", bucket: bucket, key: key)
            return true
        } catch let e as AWSError where e.status == 404 {
            return false
        }
    }

    /// Uploads a file, streamed from disk with its Content-Length.
    public func putObject(_ bucket: String, key: String, file path: String, contentType: String = "application/octet-stream") throws {
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        let hash = try Crypto.sha256(fileAt: path)
        _ = try client.send(.s3, method: "PUT", path: Self.keyPath(key),
                        headers: [("Content-Type", contentType), ("Content-Length", String(size))],
                        body: .file(path: path, size: size), payloadHash: hash, bucket: bucket)
    }

    public func putObject(_ bucket: String, key: String, data: Data, contentType: String = "application/octet-stream") throws {
        try send("PUT", bucket: bucket, key: key, headers: [("Content-Type", contentType)], body: data)
    }

    public struct Object: Sendable, Equatable {
        public let key: String
        public let size: Int
    }

    /// Every object under `prefix`, following continuation tokens.
    public func listObjects(_ bucket: String, prefix: String = "", pageSize: Int = 1000) throws -> [Object] {
        var objects: [Object] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("max-keys", String(pageSize))]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try send("GET", bucket: bucket, query: query)
            guard let xml = XMLElement.parse(response.body) else { break }
            for c in xml.all("Contents") {
                objects.append(Object(key: c.value("Key") ?? "", size: Int(c.value("Size") ?? "") ?? 0))
            }
            token = xml.value("IsTruncated") == "true" ? xml.value("NextContinuationToken") : nil
        } while token != nil
        return objects
    }

    /// Deletes keys, up to 1,000 per request; returns the keys S3 reported as failed.
    @discardableResult
    public func deleteObjects(_ bucket: String, keys: [String]) throws -> [String] {
        var failed: [String] = []
        for start in stride(from: 0, to: keys.count, by: 1000) {
            let batch = keys[start..<min(start + 1000, keys.count)]
            let xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
                + batch.map { "<Object><Key>\(xmlEscape($0))</Key></Object>" }.joined() + "</Delete>"
            let response = try sendXML("POST", bucket: bucket, subresource: "delete", xml)
            if let doc = XMLElement.parse(response.body) {
                failed += doc.all("Error").compactMap { $0.value("Key") }
            }
        }
        return failed
    }

    public func deleteBucket(_ bucket: String) throws {
        try send("DELETE", bucket: bucket)
    }

    /// An XML document to a bucket subresource, with the Content-MD5 those calls insist on.
    @discardableResult
    private func sendXML(_ method: String, bucket: String, subresource: String, _ xml: String) throws -> HTTPResponse {
        let body = Data(xml.utf8)
        return try send(method, bucket: bucket, query: [(subresource, "")],
                        headers: [("Content-MD5", Data(Crypto.md5(body)).base64EncodedString()), ("Content-Type", "application/xml")],
                        body: body)
    }
}
