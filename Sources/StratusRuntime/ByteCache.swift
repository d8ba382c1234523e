import Synchronization

/// Contents by key (a sha256, with a suffix for variants), the least recently used dropped
/// first once `budget` bytes are held: static files are read from the store once, not per request.
public final class ByteCache: Sendable {
    private struct State {
        var entries: [String: (bytes: [UInt8], used: UInt64)] = [:]
        var size = 0
        var clock: UInt64 = 0
    }

    public let budget: Int
    private let state = Mutex(State())

    public init(budget: Int) {
        self.budget = budget
    }

    public func get(_ key: String) -> [UInt8]? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            state.clock += 1
            state.entries[key] = (entry.bytes, state.clock)
            return entry.bytes
        }
    }

    /// Keeps `bytes` unless they alone are over the budget.
    public func put(_ key: String, _ bytes: [UInt8]) {
        guard bytes.count <= budget else { return }
        state.withLock { state in
            state.clock += 1
            if let old = state.entries.updateValue((bytes, state.clock), forKey: key) { state.size -= old.bytes.count }
            state.size += bytes.count
            while state.size > budget, let oldest = state.entries.min(by: { $0.value.used < $1.value.used }) {
                state.entries[oldest.key] = nil
                state.size -= oldest.value.bytes.count
            }
        }
    }
}
