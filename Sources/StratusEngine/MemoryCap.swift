@_spi(Fuzzing) import WasmKit
import StratusModel

/// Refuses memory past an invocation's cap by throwing, so the guest stops with `memory_limit`
/// instead of seeing a failed `memory.grow` it may not check.
final class MemoryCap: ResourceLimiter {
    let bytes: Int

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
        desired <= 1_000_000
    }
}
