import Synchronization

/// Idle instances, put back to their snapshots, by function: an invocation that finds one skips
/// instantiation (WasmKit translates a module's code for every new instance). Bounded per
/// function and in total memory; instances idle longer than `idleTimeout` are let go, down to
/// one per function.
final class InstancePool: Sendable {
    typealias Settings = PoolSettings

    typealias Key = PoolKey

    private struct Idle {
        let live: LiveInstance
        let bytes: Int
        let since: ContinuousClock.Instant
    }

    /// Instances passing out of the lock, and the memory they held.
    private struct Handoff: @unchecked Sendable {
        // Each instance belongs to one side at a time: the pool, or the thread that took it.
        var instances: [LiveInstance]
        var bytes = 0
        init(_ instances: [LiveInstance], bytes: Int = 0) { (self.instances, self.bytes) = (instances, bytes) }
        func close() { for live in instances { live.close() } }
    }

    /// One instance passing into or out of the lock, without the array a `Handoff` needs.
    private struct Taken: @unchecked Sendable {
        let live: LiveInstance?
    }

    /// A function's idle instances, oldest first. An object, so that an invocation changes its
    /// list through a plain lookup: changing a dictionary's value in place allocated each time.
    private final class IdleList {
        var items: [Idle] = []
    }

    private struct State: @unchecked Sendable {
        // An instance is either here, owned by the pool, or checked out by one thread.
        var idle: [Key: IdleList] = [:]
        var bytes = 0
    }

    let settings: Settings
    private let state = Mutex(State())

    init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// An idle instance of `key`, the one used last (its memory is likeliest in cache), and how
    /// many stay idle after it.
    func checkout(_ key: Key) -> (live: LiveInstance?, left: Int) {
        let (taken, left) = state.withLock { state -> (Taken, Int) in
            guard let list = state.idle[key], let idle = list.items.popLast() else { return (Taken(live: nil), 0) }
            state.bytes -= idle.bytes
            return (Taken(live: idle.live), list.items.count)
        }
        return (taken.live, left)
    }

    /// Keeps `live`, already put back to its snapshot, unless the pool is full, and lets go of
    /// the function's instances idle too long (other functions' wait for `trim`); closes what
    /// it lets go outside the lock, as closing a WASI bridge does work.
    func checkin(_ key: Key, _ live: LiveInstance, bytes: Int) {
        let now = ContinuousClock.now
        let given = Taken(live: live)
        let (refused, dropped) = state.withLock { state -> (Taken, Handoff) in
            let fits = state.bytes + bytes <= settings.maxBytes
            let list: IdleList
            if let known = state.idle[key] { list = known } else { list = IdleList(); state.idle[key] = list }
            let (kept, dropped) = Self.admit(Idle(live: live, bytes: bytes, since: now), to: &list.items, if: fits, settings)
            state.bytes += (kept ? bytes : 0) - dropped.bytes
            return (kept ? Taken(live: nil) : given, dropped)
        }
        refused.live?.close()
        dropped.close()
    }

    /// Idle instances in all, and the memory they hold.
    var totals: (instances: Int, bytes: Int) {
        state.withLock { state in (state.idle.values.reduce(0) { $0 + $1.items.count }, state.bytes) }
    }

    func idleCount(_ key: Key) -> Int {
        state.withLock { $0.idle[key]?.items.count ?? 0 }
    }

    /// Lets go of instances idle too long.
    func trim() {
        let now = ContinuousClock.now
        state.withLock { state in
            var dropped = Handoff([])
            for key in state.idle.keys { dropped.instances += Self.expire(key, in: &state, now: now, timeout: settings.idleTimeout).instances }
            return dropped
        }.close()
    }

    /// Lets go of every instance whose key `keep` refuses (functions no longer deployed).
    func retain(where keep: (Key) -> Bool) {
        state.withLock { state in
            var dropped = Handoff([])
            for (key, list) in state.idle where !keep(key) {
                dropped.instances += list.items.map(\.live)
                state.bytes -= list.items.reduce(0) { $0 + $1.bytes }
                state.idle[key] = nil
            }
            return dropped
        }.close()
    }

    /// Adds `idle` to a function's list if `fits` and the list has room; then lets go of the
    /// list's instances idle too long. Whether it was kept, and what was let go.
    private static func admit(_ idle: Idle, to list: inout [Idle], if fits: Bool, _ settings: Settings) -> (kept: Bool, dropped: Handoff) {
        let kept = fits && list.count < settings.maxIdlePerFunction
        if kept { list.append(idle) }
        return (kept, expire(&list, now: idle.since, timeout: settings.idleTimeout))
    }

    /// Removes `key`'s instances idle longer than `timeout`, keeping its newest.
    private static func expire(_ key: Key, in state: inout State, now: ContinuousClock.Instant, timeout: Duration) -> Handoff {
        guard let list = state.idle[key] else { return Handoff([]) }
        let dropped = expire(&list.items, now: now, timeout: timeout)
        state.bytes -= dropped.bytes
        return dropped
    }

    /// Removes from `idle` the instances idle longer than `timeout`, keeping the newest.
    private static func expire(_ idle: inout [Idle], now: ContinuousClock.Instant, timeout: Duration) -> Handoff {
        guard idle.count > 1, now - idle[0].since > timeout else { return Handoff([]) }
        // Oldest first: the list grows at its end.
        let stale = idle.dropLast().prefix { now - $0.since > timeout }
        idle.removeFirst(stale.count)
        return Handoff(stale.map(\.live), bytes: stale.reduce(0) { $0 + $1.bytes })
    }
}

/// How many idle instances the engine keeps, and for how long.
public struct PoolSettings: Sendable {
    /// The most idle instances one function keeps; 0 turns pooling off. A pool only grows to
    /// the most instances its function used at once (a function calling itself 100 deep uses
    /// 100), and shrinks when they sit idle; `maxBytes` bounds all pools together.
    public var maxIdlePerFunction = 128
    /// The most memory all idle instances hold together.
    public var maxBytes = 512 << 20
    public var idleTimeout: Duration = .seconds(60)
    /// Whether instances are made in the background ahead of demand: at deploy, and when a
    /// function's last idle instance is taken.
    public var fillAhead = true

    public init() {}
}
