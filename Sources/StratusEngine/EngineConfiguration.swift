/// Limits the engine applies to every invocation.
public struct EngineLimits: Sendable {
    /// The most bytes a guest may write as its response body.
    public var maxOutputBytes: Int = 64 << 20
    /// The most bytes of log lines kept per invocation; the rest is dropped with a marker.
    public var maxLogBytes: Int = 64 << 10
    /// The most live buffer handles a guest may hold at once.
    public var maxBuffers: Int = 4096

    public init() {}
}
