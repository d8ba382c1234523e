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
        guard !slots.withLock({ Self.take(&$0[key, default: Slot()], limit: limit, orQueue: nil) }) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if slots.withLock({ Self.take(&$0[key, default: Slot()], limit: limit, orQueue: continuation) }) { continuation.resume() }
        }
    }

    /// Takes a slot if one is free, else queues `waiter` (if any). One lookup of the key: the
    /// slot is changed in place.
    private static func take(_ slot: inout Slot, limit: Int, orQueue waiter: CheckedContinuation<Void, Never>?) -> Bool {
        guard slot.running < limit else {
            if let waiter { slot.waiting.append(waiter) }
            return false
        }
        slot.running += 1
        return true
    }

    /// Gives `key`'s slot back, to the first waiter if there is one. A function's entry stays
    /// when none run: removing and adding it again on every invocation cost more than it held.
    func leave(_ key: String) {
        // A waiter takes the leaving invocation's slot, so `running` stays as it is.
        let next = slots.withLock { slots -> CheckedContinuation<Void, Never>? in
            Self.handBack(&slots[key, default: Slot()])
        }
        next?.resume()
    }

    private static func handBack(_ slot: inout Slot) -> CheckedContinuation<Void, Never>? {
        guard slot.waiting.isEmpty else { return slot.waiting.removeFirst() }
        slot.running -= 1
        return nil
    }
}
