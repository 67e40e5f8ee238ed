import Foundation
import Testing
import TestSupport

@testable import CacheDemo

/// A real cfn-lint run on every variant, in both formats. cfn-lint is installed by scripts/setup.
@Suite struct CfnLintTests {
    @Test(arguments: Variant.all)
    func variantIsLintClean(_ v: Variant) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfnlint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for format in [("yaml", CloudFormationFormat.yaml), ("json", .json)] {
            let url = dir.appendingPathComponent("\(v.name).\(format.0)")
            try CacheStack(options: v.options).template().rendered(as: format.1).write(to: url, atomically: true,
                                                                                       encoding: .utf8)
            paths.append(url.path)
        }
        let result = try runTool("cfn-lint", ["--format", "parseable"] + paths)
        #expect(result.status == 0, "cfn-lint on \(v.name):\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty, "cfn-lint findings on \(v.name):\n\(result.stdout)")
    }
}

import CloudFormation
typealias CloudFormationFormat = TemplateFormat
