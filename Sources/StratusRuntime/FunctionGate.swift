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
    }

    private let slots = Mutex<[String: Slot]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Waits until `key` has a free slot and takes it; without waiting when one is free.
    func enter(_ key: String) async {
        let admitted = slots.withLock { slots in
            guard slots[key, default: Slot()].running < limit else { return false }
            slots[key, default: Slot()].running += 1
            return true
        }
        guard !admitted else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = slots.withLock { slots in
                if slots[key, default: Slot()].running < limit {
                    slots[key, default: Slot()].running += 1
                    return true
                }
                slots[key, default: Slot()].waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    /// Gives `key`'s slot back, to the first waiter if there is one.
    func leave(_ key: String) {
        // A waiter takes the leaving invocation's slot, so `running` stays as it is.
        let next = slots.withLock { slots -> CheckedContinuation<Void, Never>? in
            guard var slot = slots[key] else { return nil }
            if slot.waiting.isEmpty {
                slot.running -= 1
                slots[key] = slot.running == 0 ? nil : slot
                return nil
            }
            let first = slot.waiting.removeFirst()
            slots[key] = slot
            return first
        }
        next?.resume()
    }
}
