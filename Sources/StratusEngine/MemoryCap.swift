@_spi(Fuzzing) import WasmKit
import StratusModel

/// Refuses memory past an invocation's cap by throwing, so the guest stops with `memory_limit`
/// instead of seeing a failed `memory.grow` it may not check. Notes table growth, which a
/// snapshot cannot undo.
final class MemoryCap: ResourceLimiter, @unchecked Sendable {
    // Read and set only by the thread using the instance, one at a time.
    /// The cap of the invocation being served.
    var bytes: Int
    /// Set by any growth, including the tables made at instantiation: cleared once the instance is set up.
    var grewTable = false

    init(bytes: Int) {
        self.bytes = bytes
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= bytes else {
            throw StratusError(.guestFailure, code: "memory_limit",
                               "the guest's memory would grow to \(desired >> 20) MiB, past its limit of \(bytes >> 20) MiB; raise limits.memory_mb or use less memory")
        }
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        guard desired <= 1_000_000 else { return false }
        grewTable = true
        return true
    }
}
