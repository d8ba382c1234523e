import StratusEngine
import Synchronization

/// Keeps one function from holding every worker thread: at most `limit` invocations of one
/// function run at once (calls made inside them run on their caller's thread and are not
/// counted); the others wait their turn, first come first served, until their deadline. With a
/// limit one below the pool's size, a function whose guests loop until their timeout still
/// leaves a thread to every other function.
final class FunctionGate: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct Slot {
        var running = 0
        var waiting: [Waiter] = []

        /// Takes a slot if one is free, else queues `waiter` (if any).
        mutating func take(limit: Int, orQueue waiter: Waiter?) -> Bool {
            guard running < limit else {
                if let waiter { waiting.append(waiter) }
                return false
            }
            running += 1
            return true
        }

        /// Gives a slot back: to the first waiter if there is one, who then holds it.
        mutating func handBack() -> CheckedContinuation<Bool, Never>? {
            guard waiting.isEmpty else { return waiting.removeFirst().continuation }
            running -= 1
            return nil
        }

        /// Takes the waiter `id` out of the queue, if it still waits.
        mutating func withdraw(_ id: UInt64) -> CheckedContinuation<Bool, Never>? {
            guard let index = waiting.firstIndex(where: { $0.id == id }) else { return nil }
            return waiting.remove(at: index).continuation
        }
    }

    private let slots = Mutex<[String: Slot]>([:])
    private let waiterIDs = Atomic<UInt64>(0)
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a slot of `key` if one is free, without the task switch an async call costs.
    func tryEnter(_ key: String) -> Bool {
        slots.withLock { $0[key, default: Slot()].take(limit: limit, orQueue: nil) }
    }

    /// Waits until `key` has a free slot and takes it (true), or until `deadline` passes first
    /// (false: the caller is answered at its limit, not when a runaway ahead of it ends).
    func enter(_ key: String, until deadline: ContinuousClock.Instant?) async -> Bool {
        guard !tryEnter(key) else { return true }
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        let timer = Mutex<DeadlineTimer.Ticket?>(nil)
        let entered = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            if slots.withLock({ $0[key, default: Slot()].take(limit: limit, orQueue: Waiter(id: id, continuation: continuation)) }) {
                continuation.resume(returning: true)
            } else if let deadline {
                timer.withLock {
                    $0 = DeadlineTimer.shared.schedule(at: deadline) { [self] in
                        slots.withLock { $0[key]?.withdraw(id) }?.resume(returning: false)
                    }
                }
            }
        }
        if let ticket = timer.withLock({ $0 }) { DeadlineTimer.shared.cancel(ticket) }
        return entered
    }

    /// Gives `key`'s slot back, to the first waiter if there is one. A function's entry stays
    /// when none run: removing and adding it again on every invocation cost more than it held.
    func leave(_ key: String) {
        slots.withLock { $0[key, default: Slot()].handBack() }?.resume(returning: true)
    }
}
