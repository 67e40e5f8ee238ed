import Foundation
import Testing

@testable import CloudFormation

private struct Bucket: ResourceProperties {
    static let type = "AWS::S3::Bucket"
    var bucketName: Value?
    var tags: [CloudFormation.Tag]?
}

private func json(_ t: Template) throws -> [String: Any] {
    let text = try t.rendered(as: .json)
    return try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
}

private func properties(_ t: Template, _ id: String) throws -> [String: Any] {
    let resources = try json(t)["Resources"] as! [String: Any]
    return (resources[id] as! [String: Any])["Properties"] as! [String: Any]
}

@Suite struct RenderingTests {
    @Test func intrinsicsRenderInTheirLongForm() throws {
        var t = Template()
        t.parameters["Name"] = Parameter(description: "a name", default: "x")
        t.conditions["IsProd"] = .equals(.ref("Name"), "prod")
        t.add("B", Bucket(bucketName: .if("IsProd", .sub("${Name}-${AWS::Region}"), .noValue)))
        t.add("C", Bucket(bucketName: .join("-", [.select(0, .getAZs("")), .select(1, .split(",", "a,b"))])))
        t.outputs["Arn"] = Output(.getAtt("B", "Arn"), description: "arn")
        let doc = try json(t)
        let b = try properties(t, "B")["BucketName"] as! [String: Any]
        let ifArgs = b["Fn::If"] as! [Any]
        #expect(ifArgs[0] as? String == "IsProd")
        #expect((ifArgs[1] as! [String: Any])["Fn::Sub"] as? String == "${Name}-${AWS::Region}")
        #expect((ifArgs[2] as! [String: Any])["Ref"] as? String == "AWS::NoValue")
        let join = (try properties(t, "C")["BucketName"] as! [String: Any])["Fn::Join"] as! [Any]
        #expect(join[0] as? String == "-")
        let parts = join[1] as! [[String: Any]]
        let select0 = parts[0]["Fn::Select"] as! [Any]
        #expect(select0[0] as? Int == 0)
        #expect((select0[1] as! [String: Any])["Fn::GetAZs"] as? String == "")
        let split = (parts[1]["Fn::Select"] as! [Any])[1] as! [String: Any]
        #expect((split["Fn::Split"] as! [Any])[0] as? String == ",")
        let cond = (doc["Conditions"] as! [String: Any])["IsProd"] as! [String: Any]
        #expect((cond["Fn::Equals"] as! [Any]).count == 2)
        let out = ((doc["Outputs"] as! [String: Any])["Arn"] as! [String: Any])["Value"] as! [String: Any]
        #expect(out["Fn::GetAtt"] as? [String] == ["B", "Arn"])
    }

    @Test func propertyNamesArePascalCaseAndMapKeysVerbatim() throws {
        var t = Template()
        t.add("B", Bucket(bucketName: ["lower_key": "v", "Upper": 1], tags: [CloudFormation.Tag("app", "x")]))
        let p = try properties(t, "B")
        let name = p["BucketName"] as! [String: Any]
        #expect(Set(name.keys) == ["lower_key", "Upper"])
        let tags = p["Tags"] as! [[String: Any]]
        #expect(tags[0]["Key"] as? String == "app")
        #expect(tags[0]["Value"] as? String == "x")
    }

    @Test(arguments: TemplateFormat.allCases)
    func renderingIsDeterministic(format: TemplateFormat) throws {
        func make() -> Template {
            var t = Template(description: "d")
            for i in (0..<20).shuffled() { t.add("B\(i)", Bucket(bucketName: ["k\(i)": "v", "a": "b", "z": "y"])) }
            return t
        }
        // Insertion order differs between the two; the bytes must not.
        var a = make(), b = make()
        a.resources.sort { $0.logicalId < $1.logicalId }
        b.resources.sort { $0.logicalId > $1.logicalId }
        #expect(try a.rendered(as: format) == b.rendered(as: format))
    }

    @Test func yamlQuotesOnlyStringsThatWouldReadAsSomethingElse() throws {
        var t = Template()
        t.add("B", Bucket(bucketName: ["version": "7.1", "ttl": "3600", "date": "2010-09-09", "flag": "yes",
                                       "empty": "", "plain": "hello", "number": 3600]))
        let yaml = try t.rendered(as: .yaml)
        #expect(yaml.contains("AWSTemplateFormatVersion: '2010-09-09'"))
        #expect(yaml.contains("version: '7.1'"))
        #expect(yaml.contains("ttl: '3600'"))
        #expect(yaml.contains("flag: 'yes'"))
        #expect(yaml.contains("empty: ''"))
        #expect(yaml.contains("plain: hello"))
        #expect(yaml.contains("number: 3600"))
    }

    @Test func danglingReferencesAreNamed() throws {
        let cases: [(Template, TemplateError)] = [
            ({ var t = Template(); t.add("B", Bucket(bucketName: .ref("Nope"))); return t }(),
             .danglingReference(kind: "Ref", name: "Nope", in: "resource B")),
            ({ var t = Template(); t.add("B", Bucket(bucketName: .getAtt("Gone", "Arn"))); return t }(),
             .danglingReference(kind: "Fn::GetAtt", name: "Gone", in: "resource B")),
            ({ var t = Template(); t.add("B", Bucket(bucketName: .sub("${Missing.Arn}-${!Literal}"))); return t }(),
             .danglingReference(kind: "Ref", name: "Missing", in: "resource B")),
            ({ var t = Template(); t.add("B", Bucket(), dependsOn: ["Later"]); return t }(),
             .danglingReference(kind: "DependsOn", name: "Later", in: "resource B")),
            ({ var t = Template(); t.add("B", Bucket(), condition: "NoSuch"); return t }(),
             .danglingReference(kind: "Condition", name: "NoSuch", in: "resource B")),
            ({ var t = Template(); t.outputs["O"] = Output(.ref("X"), description: ""); return t }(),
             .danglingReference(kind: "Ref", name: "X", in: "output O")),
            ({ var t = Template(); t.add("B", Bucket()); t.add("B", Bucket()); return t }(),
             .duplicateLogicalId("B")),
        ]
        for (template, expected) in cases {
            #expect(throws: expected) { try template.rendered(as: .json) }
        }
    }

    @Test func resolvableReferencesPass() throws {
        var t = Template()
        t.parameters["P"] = Parameter(description: "p")
        t.add("A", Bucket())
        t.add("B", Bucket(bucketName: .sub("${P}-${A}-${A.Arn}-${AWS::AccountId}-${Var}", ["Var": .ref("A")])),
              dependsOn: ["A"])
        #expect(throws: Never.self) { try t.rendered(as: .yaml) }
        #expect(ReferenceCollector.subVariables("${A}${!B}${C.D}${AWS::Region}") == ["A", "C", "AWS::Region"])
    }
}
