/// A source file carried inside the binary.
public struct EmbeddedFile: Sendable, Equatable {
    public let name: String
    public let contents: String
}
