import Foundation

/// Runs actions at wall-clock instants from one thread, for the deadlines of every request:
/// a sleeping task per request costs a task and a timer registration each, which shows in a
/// warm request's profile. Actions must be quick; they run on the timer's thread.
final class DeadlineTimer: @unchecked Sendable {
    static let shared = DeadlineTimer()

    struct Ticket: Sendable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        let instant: ContinuousClock.Instant
        let action: @Sendable () -> Void
    }

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 0
    private var started = false

    /// Runs `action` at `instant` unless cancelled first.
    func schedule(at instant: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> Ticket {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        entries[nextID] = Entry(instant: instant, action: action)
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.name = "stratus-deadlines"
            thread.start()
        }
        condition.signal()
        return Ticket(id: nextID)
    }

    func cancel(_ ticket: Ticket) {
        condition.lock()
        entries[ticket.id] = nil
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            let due = entries.filter { $0.value.instant <= now }
            for id in due.keys { entries[id] = nil }
            if !due.isEmpty {
                condition.unlock()
                for entry in due.values { entry.action() }
                condition.lock()
                continue
            }
            if let earliest = entries.values.map(\.instant).min() {
                let wait = now.duration(to: earliest).components
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(wait.seconds) + Double(wait.attoseconds) / 1e18))
            } else {
                condition.wait()
            }
        }
    }
}
