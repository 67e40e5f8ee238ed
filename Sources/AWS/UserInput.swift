import Foundation

/// What every check of a typed value shares: a pattern that must hold from the first
/// character to the last, and a way to show the value back in one line.
public enum UserInput {
    /// Whether the whole of `value` matches `pattern`. NSRegularExpression's `$` also matches
    /// before a final newline, so `^…$` let "t1\n" through as a stack name; `\A…\z` does not.
    public static func matches(_ value: String, _ pattern: String) -> Bool {
        value.range(of: #"\A(?:"# + pattern + #")\z"#, options: .regularExpression) != nil
    }

    /// The value in single quotes for a message: control characters escaped (a newline shows
    /// as `\n`, so the message stays one line and the mistake is visible), and a long value
    /// cut with its length said, so a 100,000-character flag gives one readable line.
    public static func quoted(_ value: String, limit: Int = 80) -> String {
        let shown = value.count > limit ? escaped(String(value.prefix(limit))) + "…" : escaped(value)
        let length = value.count > limit ? " (\(value.count) characters)" : ""
        return "'\(shown)'\(length)"
    }

    /// Control and format characters as Swift escapes (`\n`, `\t`, `\u{1B}`, `\u{200B}`);
    /// everything else as is.
    public static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Format characters too: a zero-width space or a bidi override would hide in the line.
            case _ where [.control, .format, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory):
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
