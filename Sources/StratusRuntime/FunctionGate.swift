import Synchronization

/// Keeps one function from holding every worker thread: at most `limit` invocations of one
/// function run at once (calls made inside them run on their caller's thread and are not
/// counted); the others wait their turn, first come first served. With a limit one below the
/// pool's size, a function whose guests loop until their timeout still leaves a thread to
/// every other function.
final class FunctionGate: Sendable {
    private struct Slot {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []

        /// Takes a slot if one is free, else queues `waiter` (if any).
        mutating func take(limit: Int, orQueue waiter: CheckedContinuation<Void, Never>?) -> Bool {
            guard running < limit else {
                if let waiter { waiting.append(waiter) }
                return false
            }
            running += 1
            return true
        }

        /// Gives a slot back: to the first waiter if there is one, who then holds it.
        mutating func handBack() -> CheckedContinuation<Void, Never>? {
            guard waiting.isEmpty else { return waiting.removeFirst() }
            running -= 1
            return nil
        }
    }

    private let slots = Mutex<[String: Slot]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a slot of `key` if one is free, without the task switch an async call costs.
    func tryEnter(_ key: String) -> Bool {
        slots.withLock { $0[key, default: Slot()].take(limit: limit, orQueue: nil) }
    }

    /// Waits until `key` has a free slot and takes it; without waiting when one is free. Each
    /// step looks the key up once and changes its slot in place.
    func enter(_ key: String) async {
        guard !tryEnter(key) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if slots.withLock({ $0[key, default: Slot()].take(limit: limit, orQueue: continuation) }) { continuation.resume() }
        }
    }

    /// Gives `key`'s slot back, to the first waiter if there is one. A function's entry stays
    /// when none run: removing and adding it again on every invocation cost more than it held.
    func leave(_ key: String) {
        slots.withLock { $0[key, default: Slot()].handBack() }?.resume()
    }
}
