/// Limits the engine applies to every invocation.
public struct EngineLimits: Sendable {
    /// The most bytes a guest may write as its response body.
    public var maxOutputBytes: Int = 64 << 20
    /// The most bytes of log lines kept per invocation; the rest is dropped with a marker.
    public var maxLogBytes: Int = 64 << 10
    /// The most live buffer handles a guest may hold at once.
    public var maxBuffers: Int = 4096
    /// The largest KV value a guest may write (docs/ABI.md: 1 MiB unless configured otherwise).
    public var maxValueBytes: Int = 1 << 20
    /// The longest KV key (docs/ABI.md: 512 bytes).
    public let maxKeyBytes = 512
    /// The largest input a guest may pass to `spawn` or `call`.
    public var maxCallInputBytes: Int = 10 << 20
    /// The most pairs one `kv_scan` returns.
    public var maxScanLimit: Int = 10_000
    /// Whether guests burn fuel, which is how ``Preemption`` stops a guest at its deadline.
    /// Off, nothing stops a guest that loops forever; only benchmarks turn it off.
    public var fuelMetering = true
    /// How many idle instances are kept, and for how long.
    public var pool = PoolSettings()

    public init() {}
}
