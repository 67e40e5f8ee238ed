public enum CacheDemoVersion {
    public static let current = "0.1.0"
}
