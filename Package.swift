// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cachedemo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cachedemo", targets: ["cachedemo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .executableTarget(
            name: "cachedemo",
            dependencies: [
                "CacheDemo", "CloudFormation", "AWS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "cachedemo-bench", dependencies: ["AWS"]),
        .target(name: "CloudFormation", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(
            name: "CacheDemo",
            dependencies: ["CloudFormation", "AWS", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                           .product(name: "Yams", package: "Yams")],
            plugins: ["EmbedLambda"]
        ),
        .executableTarget(name: "embed-lambda-tool"),
        .plugin(name: "EmbedLambda", capability: .buildTool(), dependencies: ["embed-lambda-tool"]),
        .target(name: "AWS", dependencies: ["COpenSSL", "CCurl"]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "TestSupport", dependencies: ["AWS"], path: "Tests/TestSupport"),
        .testTarget(name: "CloudFormationTests", dependencies: ["CloudFormation"]),
        .testTarget(name: "CacheDemoTests", dependencies: ["CacheDemo", "CloudFormation", "AWS", "TestSupport"]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "TestSupport"], exclude: ["Fixtures", "Support"]),
    ]
)
