import ArgumentParser
import AWS

/// Numbers with a fraction, as people write them: `2`, `0.5`, `1e6`. Swift's `Double(_:)`
/// also reads `0x10` (16), `nan` and `inf`, which no one means on a command line.
enum DecimalArgument {
    static func parse(_ text: String) throws -> Double {
        guard UserInput.matches(text, #"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?"#), let value = Double(text) else {
            throw ValidationError("\(UserInput.quoted(text)) is not a decimal number (like 2, 0.5 or 1e6)")
        }
        return value
    }
}
