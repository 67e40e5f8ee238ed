import Foundation
import Testing
import TestSupport

@testable import CacheDemo

@Suite struct PackageTests {
    @Test func twoBuildsAreByteIdentical() throws {
        let a = try LambdaPackage.build(), b = try LambdaPackage.build()
        #expect(a.data == b.data)
        #expect(a.sha256 == b.sha256)
        #expect(ArtifactStore.codeKey(stack: "s", package: a) == "cachedemo/s/lambda-\(a.sha256).zip")
    }

    @Test func theBinaryCarriesTheCurrentHandlerSources() throws {
        for (folder, files) in [("lambda/src", LambdaSources.handler), ("lambda/local", LambdaSources.local)] {
            let dir = Repo.root.appendingPathComponent(folder)
            let onDisk = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".mjs") }.sorted()
            #expect(files.map(\.name) == onDisk, "\(folder) is not what the binary carries (the EmbedLambda build plugin should embed it)")
            for file in files {
                let current = try String(contentsOf: dir.appendingPathComponent(file.name), encoding: .utf8)
                #expect(file.contents == current, "\(folder)/\(file.name) is not what the binary carries (the EmbedLambda build plugin should embed it)")
            }
        }
    }

    @Test func unzipAndPythonAcceptTheZipWithTheHandlerAtTheRoot() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("f.zip")
        try OutputFile.write(LambdaPackage.build().data, to: zip.path)
        let unzip = try runTool("unzip", ["-t", zip.path])
        #expect(unzip.status == 0, "\(unzip.stdout)")
        let python = try runTool("python3", ["-c", """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            names = z.namelist()
            assert names == sorted(names) and 'index.mjs' in names, names
            for i in z.infolist():
                assert i.date_time == (2020, 1, 1, 0, 0, 0), i.date_time
                assert (i.external_attr >> 16) & 0o777 == 0o644, oct(i.external_attr >> 16)
            print(len(names))
            """, zip.path])
        #expect(python.status == 0, "\(python.stderr)")
    }

    @Test func anInstalledBinaryPackagesFromAnyDirectoryAndTimeZone() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let installed = dir.appendingPathComponent("cachedemo")
        try FileManager.default.copyItem(atPath: Repo.binary, toPath: installed.path)
        let expected = try LambdaPackage.build().sha256
        for tz in ["UTC", "Asia/Tokyo", "America/Los_Angeles"] {
            let out = dir.appendingPathComponent("out-\(tz.replacingOccurrences(of: "/", with: "-")).zip").path
            let r = try run("/usr/bin/env", ["TZ=\(tz)", "sh", "-c", "umask 077; cd / && \"$0\" package --output-file \"$1\" --output json",
                                             installed.path, out])
            #expect(r.status == 0, "\(r.stderr)")
            let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(doc?["sha256"] as? String == expected)
            #expect((doc?["size"] as? Int ?? 0) > 1000)
        }
    }
}

