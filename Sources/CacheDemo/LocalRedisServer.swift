import AWS
import Foundation

/// What starting the cache needs, whatever its shape.
struct LocalCacheContext {
    let dir: URL
    let certs: LocalCertificates.Paths
    /// The password every node takes (AUTH), generated for the run.
    let token: String
    let node: String
    let redisServer: String
    /// lambda/local, written out for the run.
    let localDir: URL
    let path: String
    let log: FileHandle?
}

extension LocalRuntime {
    /// One primary: one redis-server with TLS and a generated token in a 0600 config file
    /// (never on a command line). The function reaches it with that token, or (IAM) through a
    /// proxy that checks the IAM tokens the function signs with this run's key pair, as
    /// ElastiCache checks them, before anything reaches redis-server.
    func startRedisServer(_ c: LocalCacheContext) throws -> (environment: [String: String], ports: [Int]) {
        let redisPort = try Loopback.freePort()
        let config = """
            bind 127.0.0.1
            port 0
            tls-port \(redisPort)
            tls-cert-file \(c.certs.cert)
            tls-key-file \(c.certs.key)
            tls-ca-cert-file \(c.certs.ca)
            tls-auth-clients no
            requirepass \(c.token)
            save ""
            appendonly no
            dir \(c.dir.path)
            """
        let configURL = c.dir.appendingPathComponent("redis.conf")
        _ = FileManager.default.createFile(atPath: configURL.path, contents: Data(config.utf8),
                                       attributes: [.posixPermissions: 0o600])
        try children.startServer("redis-server", what: "redis-server", port: redisPort, executable: c.redisServer,
                                 arguments: [configURL.path], log: c.log)
        let redisURL = "rediss://127.0.0.1:\(redisPort)"

        var cacheEnvironment = [FunctionEnvironment.redisURL: redisURL, FunctionEnvironment.authToken: c.token]
        if options.cacheAuth == .iam {
            let proxyPort = try Loopback.freePort()
            let purge = try purgeCredentials()
            let iam = ["IAM_USER": Self.iamUser, "IAM_CACHE_NAME": Self.iamCacheName, "IAM_REGION": purge.region,
                       "IAM_ACCESS_KEY_ID": purge.accessKeyId, "IAM_SECRET_ACCESS_KEY": purge.secretAccessKey]
            try children.startServer("iam-proxy", what: "the IAM auth proxy", port: proxyPort, executable: c.node,
                                     arguments: [c.localDir.appendingPathComponent("iam-proxy.mjs").path],
                                     environment: ["PORT": String(proxyPort), "PATH": c.path, "TLS_CERT_FILE": c.certs.cert,
                                                   "TLS_KEY_FILE": c.certs.key, "REDIS_PORT": String(redisPort),
                                                   "REDIS_CA_FILE": c.certs.ca, "REDIS_PASSWORD": c.token].merging(iam) { a, _ in a },
                                     log: c.log)
            cacheEnvironment = [FunctionEnvironment.redisURL: "rediss://127.0.0.1:\(proxyPort)", FunctionEnvironment.authMode: "iam",
                                FunctionEnvironment.username: Self.iamUser, FunctionEnvironment.iamCacheName: Self.iamCacheName,
                                // Lambda's role credentials, here the run's key pair.
                                "AWS_REGION": purge.region, "AWS_ACCESS_KEY_ID": purge.accessKeyId,
                                "AWS_SECRET_ACCESS_KEY": purge.secretAccessKey]
        }
        return (cacheEnvironment, [])
    }
}
