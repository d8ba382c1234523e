@_spi(Fuzzing) import WasmKit
import StratusModel

/// Refuses memory past an invocation's cap by throwing, so the guest stops with `memory_limit`
/// instead of seeing a failed `memory.grow` it may not check; and refuses any growth past the
/// invocation's deadline with `timeout`, since each grow copies the whole memory and a guest
/// growing a page at a time would spend seconds in copies between two fuel charges. Notes
/// table growth, which a snapshot cannot undo.
final class MemoryCap: ResourceLimiter, @unchecked Sendable {
    // Read and set only by the thread using the instance, one at a time.
    /// The limits of the invocation being served.
    var limits: InvocationLimits
    /// Set by any growth, including the tables made at instantiation: cleared once the instance is set up.
    var grewTable = false

    init(limits: InvocationLimits) {
        self.limits = limits
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= limits.memoryBytes else { throw Self.refusal(desired, limits) }
        guard ContinuousClock.now < limits.deadline else { throw limits.timeoutError() }
        return true
    }

    /// The error of a guest whose memory would pass its limit by growing to `desired` bytes;
    /// `trap` is what the guest did when its growth failed, if it went on.
    static func refusal(_ desired: Int, _ limits: InvocationLimits, after trap: String? = nil) -> StratusError {
        let then = trap.map { " (it then trapped: \($0))" } ?? ""
        return StratusError(.guestFailure, code: "memory_limit",
                            "the guest's memory would grow to \(desired >> 20) MiB, past its limit of \(limits.memoryBytes >> 20) MiB\(then); raise limits.memory_mb or use less memory")
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        guard desired <= 1_000_000 else { return false }
        grewTable = true
        return true
    }
}
