import StratusModel

/// What one invocation may use: time (a deadline, enforced by ``Preemption`` while the guest
/// runs and checked at every host call) and memory.
public struct InvocationLimits: Sendable {
    /// The function's time limit, for messages.
    public var timeout: Duration
    /// When the invocation must have ended; a call inherits its caller's when that is sooner.
    public var deadline: ContinuousClock.Instant
    /// The most bytes the guest's memory may grow to.
    public var memoryBytes: Int

    public init(timeout: Duration, deadline: ContinuousClock.Instant? = nil, memoryBytes: Int) {
        self.timeout = timeout
        self.deadline = deadline ?? .now + timeout
        self.memoryBytes = memoryBytes
    }

    /// Limits that stop nothing a test or tool would run into.
    public static let generous = InvocationLimits(timeout: .seconds(3600), memoryBytes: 4 << 30)

    var timeoutMilliseconds: Int64 {
        timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
    }

    /// The error of an invocation stopped at its deadline.
    public func timeoutError() -> StratusError {
        StratusError(.timeout, code: "timeout",
                     "the function did not finish within its time limit of \(timeoutMilliseconds) ms, counted from the request's arrival (waiting for a free worker included), and was stopped; raise limits.timeout_ms or make it do less per invocation")
    }

    /// The error of a sequence or plan whose caller's deadline passed while it waited.
    public static let callerTimeout = StratusError(.timeout, code: "timeout",
                                                   "the caller's time limit passed before this could run; raise the caller's limits.timeout_ms")
}
