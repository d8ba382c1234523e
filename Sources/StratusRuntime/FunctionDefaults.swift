/// The limits of a function whose manifest sets none (`limits:`), configurable on the server.
public struct FunctionDefaults: Sendable {
    /// `limits.timeout_ms`.
    public var timeout: Duration = .seconds(10)
    /// `limits.memory_mb`, in bytes.
    public var memoryBytes: Int = 128 << 20
    /// `limits.call_depth`: how deep calls may nest below an invocation.
    public var callDepth: Int = 32

    public init() {}
}
