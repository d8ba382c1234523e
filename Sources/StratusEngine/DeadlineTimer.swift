import Foundation

/// Runs actions at clock instants from one thread, for callers' deadlines (answers, waits for a
/// slot): a sleeping task per caller costs a task and a timer registration each, which shows in a
/// warm request's profile. Actions must be quick; they run on the timer's thread.
public final class DeadlineTimer: @unchecked Sendable {
    public static let shared = DeadlineTimer()

    public struct Ticket: Sendable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        let instant: ContinuousClock.Instant
        let action: @Sendable () -> Void
    }

    /// The longest the thread sleeps at once, so an instant however far away never reaches
    /// the conversion to a wall-clock date.
    private static let longestWait = 60.0

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 0
    private var started = false
    /// The entry whose action runs now, outside the lock.
    private var runningID: UInt64?
    /// When the thread wakes next by itself; nil while it runs an action or sleeps with nothing to do.
    private var wakesAt: ContinuousClock.Instant?

    /// Runs `action` at `instant` unless cancelled first.
    public func schedule(at instant: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> Ticket {
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
        // Most deadlines come after the one the thread sleeps toward: waking it for them would
        // cost a context switch per invocation.
        if wakesAt.map({ instant < $0 }) ?? true { condition.broadcast() }
        return Ticket(id: nextID)
    }

    /// Cancels `ticket`: once this returns, its action neither runs nor is running.
    public func cancel(_ ticket: Ticket) {
        condition.lock()
        entries[ticket.id] = nil
        while runningID == ticket.id { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            if let (id, entry) = entries.first(where: { $0.value.instant <= now }) {
                entries[id] = nil
                runningID = id
                condition.unlock()
                entry.action()
                condition.lock()
                runningID = nil
                condition.broadcast()
                continue
            }
            if let earliest = entries.values.map(\.instant).min() {
                wakesAt = earliest
                let wait = now.duration(to: earliest).components
                let seconds = min(Self.longestWait, Double(wait.seconds) + Double(wait.attoseconds) / 1e18)
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
            } else {
                wakesAt = nil
                condition.wait()
            }
            wakesAt = nil
        }
    }
}
