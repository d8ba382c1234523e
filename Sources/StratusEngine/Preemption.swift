import Foundation
import Synchronization
import WasmKit

/// Stops a guest at its deadline from outside: WasmKit has no interrupt, but a metered guest
/// pays fuel at the start of every block and loop iteration, and an empty tank traps it with
/// "out of fuel" (a `timeout`) at its next charge, however busy the machine and whatever the
/// guest runs (a bare branch loop, or memory growth, which costs one unit per grow).
///
/// The guest runs with a budget it never exhausts on its own. One watcher thread looks at the
/// armed tanks every ``tick`` while any is armed and empties those past their deadline.
/// WasmKit charges fuel with a plain read and write of one 64-bit word, not an atomic one, so
/// a charge in flight can write back the old level over the empty one: the watcher empties a
/// tank again at every tick until its invocation has ended. Arming and disarming touch only the
/// tank (an atomic and an uncontended lock), since every invocation does both.
struct Preemption {
    /// How often the watcher looks: a guest stops at most about this long after its deadline.
    static let tick = Duration.milliseconds(2)
    /// More fuel than a guest burns before any deadline; the watcher takes it back.
    static let budget = Fuel(remaining: UInt64.max / 2)

    private let tank: Tank

    /// Gives `tank`'s store its budget (none at all when `deadline` has passed) and arms its stop.
    init(_ tank: Tank, until deadline: ContinuousClock.Instant) {
        self.tank = tank
        tank.store.fuel = deadline > .now ? Self.budget : Fuel(remaining: 0)
        tank.arm(deadline)
    }

    /// Cancels the stop; the store may serve another invocation after this returns.
    func disarm() {
        tank.disarm()
    }

    /// A store, reached from the watcher's thread only to empty its fuel; made once per instance
    /// and known to the watcher for as long as the instance lives.
    final class Tank: @unchecked Sendable {
        let store: Store
        /// The armed deadline, or nil. The watcher empties the store only while holding this
        /// lock and finding a deadline passed, so a disarmed tank is never emptied.
        private let deadline = Mutex<ContinuousClock.Instant?>(nil)

        init(store: Store) {
            self.store = store
            Watcher.shared.register(self)
        }

        fileprivate func arm(_ instant: ContinuousClock.Instant) {
            deadline.withLock { $0 = instant }
            Watcher.shared.armed()
        }

        fileprivate func disarm() {
            deadline.withLock { $0 = nil }
        }

        /// Empties the store when its deadline has passed; whether the tank is armed.
        fileprivate func emptyIfLate(_ now: ContinuousClock.Instant) -> Bool {
            deadline.withLock { armed in
                guard let instant = armed else { return false }
                if instant <= now { store.fuel = Fuel(remaining: 0) }
                return true
            }
        }
    }

    /// The thread that looks at the tanks. It sleeps when none has been armed for a while, and
    /// an arm wakes it; while invocations run it looks every tick.
    private final class Watcher: @unchecked Sendable {
        static let shared = Watcher()

        private struct Entry { weak var tank: Tank? }
        private let tanks = Mutex<[Entry]>([])
        /// Set by `armed` and cleared by the watcher when it falls asleep.
        private let awake = Atomic<Bool>(false)
        private let wake = DispatchSemaphore(value: 0)
        /// Ticks without an armed tank before the watcher sleeps.
        private static let idleTicks = 500

        private init() {
            let thread = Thread { [self] in run() }
            thread.name = "stratus-preemption"
            thread.start()
        }

        func register(_ tank: Tank) {
            tanks.withLock { $0.append(Entry(tank: tank)) }
        }

        func armed() {
            if !awake.load(ordering: .sequentiallyConsistent), !awake.exchange(true, ordering: .sequentiallyConsistent) { wake.signal() }
        }

        private func run() {
            var idle = 0
            while true {
                if idle >= Self.idleTicks {
                    awake.store(false, ordering: .sequentiallyConsistent)
                    // An arm after the store signals; one before it is found by this look.
                    if !look() { wake.wait() }
                    awake.store(true, ordering: .sequentiallyConsistent)
                    idle = 0
                }
                Thread.sleep(forTimeInterval: Double(Preemption.tick.components.attoseconds) / 1e18)
                idle = look() ? 0 : idle + 1
            }
        }

        /// Empties the tanks past their deadline; whether any is armed.
        private func look() -> Bool {
            let now = ContinuousClock.now
            let live = tanks.withLock { entries in
                entries.removeAll { $0.tank == nil }
                return entries.compactMap(\.tank)
            }
            var anyArmed = false
            for tank in live where tank.emptyIfLate(now) { anyArmed = true }
            return anyArmed
        }
    }
}
