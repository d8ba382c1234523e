import Foundation
import Synchronization

/// Advances a wasmtime engine's epoch every ``tick`` while any of its guests runs, so a store
/// whose epoch deadline passes traps at its next loop header or function entry, however busy
/// the machine. It sleeps when no guest has run for a while, and a guest starting wakes it.
final class EpochTicker: @unchecked Sendable {
    static let tick = Duration.milliseconds(1)
    /// Ticks with no guest running before the thread sleeps.
    private static let idleTicks = 500

    private let advance: @Sendable () -> Void
    private let running = Atomic<Int>(0)
    private let awake = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)

    init(name: String, advance: @escaping @Sendable () -> Void) {
        self.advance = advance
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// The epoch deadline, in ticks from now, of a guest that must stop at `deadline`: never
    /// before it, at most about two ticks and a sleep's overshoot after.
    static func ticks(until deadline: ContinuousClock.Instant) -> UInt64 {
        let left = deadline - .now
        guard left > .zero else { return 0 }
        return UInt64((left / tick).rounded(.up)) + 1
    }

    /// A guest starts running; `end` must follow.
    func begin() {
        running.add(1, ordering: .sequentiallyConsistent)
        if !awake.load(ordering: .sequentiallyConsistent), !awake.exchange(true, ordering: .sequentiallyConsistent) { wake.signal() }
    }

    func end() {
        running.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Advances once per tick of the clock, not per wake: a sleep overshoots, and counting wakes
    /// would let a deadline of many ticks fall late by the sum of the overshoots.
    private func run() {
        var idle = 0
        var origin = ContinuousClock.now
        var advanced = 0
        while true {
            if idle >= Self.idleTicks {
                awake.store(false, ordering: .sequentiallyConsistent)
                // A begin after the store signals; one before it is seen here.
                if running.load(ordering: .sequentiallyConsistent) == 0 { wake.wait() }
                awake.store(true, ordering: .sequentiallyConsistent)
                idle = 0
                (origin, advanced) = (.now, 0)
            }
            Thread.sleep(forTimeInterval: Double(Self.tick.components.attoseconds) / 1e18)
            let due = Int((ContinuousClock.now - origin) / Self.tick)
            while advanced < due {
                advance()
                advanced += 1
            }
            idle = running.load(ordering: .relaxed) > 0 ? 0 : idle + 1
        }
    }
}
