import CloudFormation

extension CacheStack {
    /// The Lambda proxy in the private subnets, with its role, log group and security group.
    func addFunction(to t: inout Template, network: Network.Ids, cache: CacheIds, auth: CacheAuthPart) -> String {
        let tags = Self.tags
        let functionGroup = t.add("FunctionSecurityGroup", EC2.SecurityGroup(
            // GroupDescription is create-only: a new text would replace the group on every
            // existing stack (and the function's network interfaces with it). Kept as first written.
            groupDescription: "cachedemo function: HTTPS and HTTP out to the upstream, the cache port to the cache",
            vpcId: network.vpc,
            // Only the port the upstream URL names (443 for https, 80 for http, or its own).
            securityGroupEgress: [Network.upstreamRule(options)],
            tags: tags))
        t.add("FunctionToCacheEgress", EC2.SecurityGroupEgress(
            groupId: .getAtt(functionGroup, "GroupId"), port: options.cachePort,
            destinationSecurityGroupId: .getAtt(cache.securityGroup, "GroupId"), description: "function to cache"))
        t.add("CacheFromFunctionIngress", EC2.SecurityGroupIngress(
            groupId: .getAtt(cache.securityGroup, "GroupId"), port: options.cachePort,
            sourceSecurityGroupId: .getAtt(functionGroup, "GroupId"), description: "cache from function"))

        let role = t.add("FunctionRole", IAM.Role(
            assumeRolePolicyDocument: IAM.Role.trustPolicy(service: "lambda.amazonaws.com"),
            managedPolicyArns: [.sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")],
            policies: (auth.rolePolicies(cache: cache) + options.upstreamAccess.rolePolicies).nilIfEmpty,
            tags: tags))
        let logGroup = t.add("FunctionLogGroup", Logs.LogGroup(retentionInDays: options.logRetentionDays, tags: tags))
        let function = t.add("Function", Lambda.Function(
            description: "cachedemo read-through cache proxy",
            code: .init(s3Bucket: .ref(ParameterName.codeBucket), s3Key: .ref(ParameterName.codeKey)),
            handler: "index.handler", runtime: options.runtime, architectures: [options.architecture.rawValue],
            memorySize: options.memoryMB, timeout: options.timeoutSeconds, role: .getAtt(role, "Arn"),
            vpcConfig: .init(securityGroupIds: [.getAtt(functionGroup, "GroupId")], subnetIds: network.functionSubnets,
                             ipv6AllowedForDualStack: options.egressOverIPv6 ? true : nil),
            environment: .init([
                FunctionEnvironment.redisURL: .join("", ["rediss://", cache.address, ":", cache.port]),
                FunctionEnvironment.upstreamURL: .string(options.upstreamURL),
            ].merging(auth.functionEnvironment(cache: cache)) { own, _ in own }
             .merging(options.cachePart.functionEnvironment) { own, _ in own }
             .merging(options.caching.environment.mapValues { .string($0) }) { own, _ in own }
             .merging(options.upstreamAccess.stackEnvironment.mapValues { .string($0) }) { own, _ in own }
             .merging(Network.functionEnvironment(options)) { own, _ in own }),
            loggingConfig: .init(logGroup: .ref(logGroup), logFormat: "JSON"),
            tags: tags))
        t.outputs[OutputName.functionName] = .init(.ref(function), description: "The Lambda function")
        t.outputs[OutputName.functionLogGroup] = .init(.ref(logGroup), description: "The function's log group")
        return function
    }

    /// The HTTP API: GET and HEAD on / and /{proxy+} to the function (public), DELETE on both
    /// for purges (AWS_IAM), a $default stage with the throttle and access logs, and an
    /// invoke permission scoped to this API.
    func addHttpApi(to t: inout Template, function: String) {
        let tags = Self.tags
        let api = t.add("HttpApi", ApiGatewayV2.Api(
            name: .sub("${AWS::StackName}-api"), description: "cachedemo read-through cache", tags: Self.tagMap))
        let integration = t.add("HttpApiIntegration", ApiGatewayV2.Integration(
            apiId: .ref(api), integrationUri: .getAtt(function, "Arn"), timeoutInMillis: 29_000))
        let target = Value.sub("integrations/${\(integration)}")
        for route in Self.routes {
            t.add(route.logicalId, ApiGatewayV2.Route(apiId: .ref(api), routeKey: route.key, target: target,
                                                      authorizationType: route.iamOnly ? "AWS_IAM" : nil))
        }
        let accessLogs = t.add("ApiAccessLogGroup", Logs.LogGroup(
            logGroupName: Self.vendedLogGroupName("api-access-log"), retentionInDays: options.logRetentionDays, tags: tags))
        t.add("DefaultStage", ApiGatewayV2.Stage(
            apiId: .ref(api),
            defaultRouteSettings: .init(throttlingBurstLimit: options.throttle.burst,
                                        throttlingRateLimit: options.throttle.ratePerSecond),
            accessLogSettings: .init(destinationArn: .getAtt(accessLogs, "Arn"), format: Self.accessLogFormat),
            tags: Self.tagMap))
        t.add("ApiInvokePermission", Lambda.Permission(
            functionName: .ref(function), principal: "apigateway.amazonaws.com",
            sourceArn: .sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${\(api)}/*")))
        t.outputs[OutputName.apiEndpoint] = .init(.getAtt(api, "ApiEndpoint"), description: "The cache's public URL")
        t.outputs[OutputName.apiId] = .init(.ref(api), description: "The HTTP API")
    }

    /// The API's routes. HTTP APIs route on method and path, and HEAD is not GET, so HEAD has
    /// routes of its own; `/{proxy+}` does not match `/`, so each has a root twin. Any other
    /// method matches no route and gets API Gateway's own 404 without running the function
    /// (the local front answers the same way).
    struct Route {
        let logicalId: String
        let key: String
        let iamOnly: Bool
    }

    static let routes = [
        Route(logicalId: "RootRoute", key: "GET /", iamOnly: false),
        Route(logicalId: "ProxyRoute", key: "GET /{proxy+}", iamOnly: false),
        Route(logicalId: "HeadRootRoute", key: "HEAD /", iamOnly: false),
        Route(logicalId: "HeadProxyRoute", key: "HEAD /{proxy+}", iamOnly: false),
        // Purges: only callers whose IAM identity may execute-api:Invoke them (cachedemo invalidate signs them).
        Route(logicalId: "PurgeRootRoute", key: "DELETE /", iamOnly: true),
        Route(logicalId: "PurgeProxyRoute", key: "DELETE /{proxy+}", iamOnly: true),
    ]

    static let accessLogFormat = #"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","#
        + #""time":"$context.requestTime","route":"$context.routeKey","status":"$context.status","#
        + #""latencyMs":"$context.responseLatency","integrationMs":"$context.integrationLatency"}"#
}

extension Array {
    var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}
