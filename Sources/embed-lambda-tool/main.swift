import Foundation

// Writes a Swift file that carries the given files as string literals.
// usage: embed-lambda-tool OUTPUT handler FILE... local FILE... nat FILE...
// Run by the EmbedLambda build plugin: the binary takes the handler's sources with it.

var args = Array(CommandLine.arguments.dropFirst())
let output = args.removeFirst()
var groups: [String: [String]] = ["handler": [], "local": [], "nat": []]
var current = "handler"
for arg in args {
    if groups[arg] != nil { current = arg } else { groups[current, default: []].append(arg) }
}

func literal(_ text: String) -> String {
    var hashes = "#"
    while text.contains("\"\"\"\(hashes)") || text.contains("\"\(hashes)") { hashes += "#" }
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}

func entries(_ paths: [String]) throws -> String {
    try paths.sorted { URL(fileURLWithPath: $0).lastPathComponent < URL(fileURLWithPath: $1).lastPathComponent }.map { path in
        let name = URL(fileURLWithPath: path).lastPathComponent
        return "        EmbeddedFile(name: \"\(name)\", contents: \(literal(try String(contentsOfFile: path, encoding: .utf8)))),"
    }.joined(separator: "\n")
}

let swift = """
    // Generated at build time by the EmbedLambda plugin from lambda/src, lambda/local and nat/.

    enum EmbeddedLambda {
        static let handlerFiles: [EmbeddedFile] = [
    \(try entries(groups["handler"]!))
        ]

        static let localFiles: [EmbeddedFile] = [
    \(try entries(groups["local"]!))
        ]

        static let natFiles: [EmbeddedFile] = [
    \(try entries(groups["nat"]!))
        ]
    }

    """
try swift.write(toFile: output, atomically: true, encoding: .utf8)
