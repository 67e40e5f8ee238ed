import AWS
import Foundation

extension LocalRuntime {
    /// A real Redis Cluster (or the serverless stand-in: one node holding every slot, with an
    /// RBAC user with the stack's serverless access), TLS on clients, the bus and replication,
    /// AUTH on every node, started by the script the tests use (lambda/local/redis-cluster.mjs).
    func startRedisCluster(_ c: LocalCacheContext) throws -> (environment: [String: String], ports: [Int]) {
        let (shards, replicas, serverless): (Int, Int, Bool)
        switch options.cacheShape {
        case .sharded(let n, let r): (shards, replicas, serverless) = (n, r, false)
        default: (shards, replicas, serverless) = (1, 0, true)
        }
        let count = shards * (1 + replicas)
        var ports: [Int] = []
        while ports.count < count {
            let port = try Loopback.freePort()
            // Each node's cluster bus listens on its port + 10000.
            if port + 10000 <= 65535, !ports.contains(port), Loopback.isFree(port: port + 10000) { ports.append(port) }
        }
        let ready = try Loopback.freePort()
        let user = (name: Self.iamUser, password: Crypto.randomBytes(24).hex)
        var environment = ["SHARDS": String(shards), "REPLICAS": String(replicas),
                           "PORTS": ports.map(String.init).joined(separator: ","), "DIR": c.dir.appendingPathComponent("cluster").path,
                           "TLS_CERT_FILE": c.certs.cert, "TLS_KEY_FILE": c.certs.key, "TLS_CA_FILE": c.certs.ca,
                           "REDIS_PASSWORD": c.token, "PORT": String(ready), "PATH": c.path,
                           "REDIS_SERVER": options.redisServer]
        if serverless {
            environment["USERS"] = "\(user.name):\(user.password)"
            environment["USER_ACCESS"] = CacheAuthPart.serverlessAccessString  // what the stack's user may do
        }
        try children.start("redis-cluster", executable: c.node, arguments: [c.localDir.appendingPathComponent("redis-cluster.mjs").path],
                           environment: environment, log: c.log)
        // Creating a cluster takes seconds (each replica syncs): wait for its ready port.
        try Loopback.waitUntilListening(port: ready, timeout: 60, what: "the Redis Cluster") { children.isRunning("redis-cluster") }
        // The shape's own settings, as the stack gives them to the function (REDIS_CLUSTER, REDIS_SERVERLESS).
        var shape = StackOptions()
        shape.cache = .init(options.cacheShape)
        var cacheEnvironment = shape.cachePart.functionEnvironment.compactMapValues { v -> String? in
            if case .string(let s) = v { return s }
            return nil
        }
        cacheEnvironment[FunctionEnvironment.redisURL] = "rediss://127.0.0.1:\(ports[0])"
        cacheEnvironment[FunctionEnvironment.authToken] = serverless ? user.password : c.token
        if serverless { cacheEnvironment[FunctionEnvironment.username] = user.name }
        return (cacheEnvironment, ports)
    }
}
