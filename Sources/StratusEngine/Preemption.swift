import WasmKit

/// Stops a guest at its deadline from outside: WasmKit has no interrupt, but a metered guest
/// pays fuel at the start of every block and loop iteration, and an empty tank traps it with
/// "out of fuel" (a `timeout`) at its next charge, however busy the machine and whatever the
/// guest runs (a bare branch loop, or memory growth, which costs one unit per grow).
///
/// The guest runs with a budget it never exhausts on its own; at the deadline the timer's
/// thread empties the tank. WasmKit charges fuel with a plain read and write of one 64-bit
/// word, not an atomic one, so a charge in flight can write back the old level over the empty
/// one: the timer empties it again every millisecond until the invocation has ended.
/// `disarm` waits for a running emptying to finish, so a pooled instance's next invocation
/// never loses its fuel to an earlier deadline.
struct Preemption {
    private let ticket: DeadlineTimer.Ticket

    /// More fuel than a guest burns before any deadline; the timer takes it back.
    static let budget = Fuel(remaining: UInt64.max / 2)

    /// Gives `tank`'s store its budget (none at all when `deadline` has passed) and arms its stop.
    init(_ tank: Tank, until deadline: ContinuousClock.Instant) {
        tank.store.fuel = deadline > .now ? Self.budget : Fuel(remaining: 0)
        ticket = DeadlineTimer.shared.schedule(at: deadline, every: .milliseconds(1)) { tank.empty() }
    }

    /// Cancels the stop; the store may serve another invocation after this returns.
    func disarm() {
        DeadlineTimer.shared.cancel(ticket)
    }

    /// A store, reached from the timer's thread only to empty its fuel (see above); made once
    /// per instance.
    final class Tank: @unchecked Sendable {
        let store: Store
        init(store: Store) { self.store = store }
        func empty() { store.fuel = Fuel(remaining: 0) }
    }
}
