import AWS
import Foundation

/// The stack's tags: cachedemo's own, which every resource carries and destroy's leak check
/// relies on, plus the user's, checked against what CloudFormation accepts.
public enum StackTags {
    /// Set by cachedemo on the stack and every resource; a user value may not replace them.
    public static var reserved: [String] { CacheStack.tags.map(\.key) }
    /// CloudFormation's limit on stack tags.
    public static let maxCount = 50

    /// Checks KEY=VALUE pairs as given (so a duplicate is seen) and returns them as a map.
    public static func validated(_ pairs: [(key: String, value: String)]) throws(StackOptionsError) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in pairs {
            guard out[key] == nil else { throw .init("--tags: \(UserInput.quoted(key)) is given twice; give each key once") }
            guard !reserved.contains(key) else {
                throw .init("--tags: \(UserInput.quoted(key)) is set by cachedemo on every resource (destroy finds leftovers by it); use another key")
            }
            guard !key.lowercased().hasPrefix("aws:") else { throw .init("--tags: keys starting with 'aws:' are reserved by AWS") }
            guard (1...128).contains(key.count), (1...256).contains(value.count) else {
                throw .init("--tags: \(UserInput.quoted(key)) needs a key of 1-128 and a value of 1-256 characters")
            }
            guard allowed(key), allowed(value) else {
                throw .init("--tags: \(UserInput.quoted(key + "=" + value)) may hold only letters, digits, spaces and _ . : / = + - @")
            }
            out[key] = value
        }
        guard out.count + reserved.count <= maxCount else {
            throw .init("--tags: at most \(maxCount - reserved.count) tags (CloudFormation takes \(maxCount) per stack, "
                + "\(reserved.count) are cachedemo's)")
        }
        return out
    }

    private static func allowed(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { c in
            CharacterSet.letters.contains(c) || CharacterSet.decimalDigits.contains(c) || c == " " || "_.:/=+-@".unicodeScalars.contains(c)
        }
    }
}
