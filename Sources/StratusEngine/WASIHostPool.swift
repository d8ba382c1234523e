import Synchronization

/// Idle WASI hosts of the functions wasmtime runs, by function: a few per function, each
/// taken by one invocation at a time.
final class WASIHostPool: Sendable {
    /// Hosts kept per function: beyond as many as run at once, more would only hold memory.
    static let perFunction = 16
    private let idle = Mutex<[PoolKey: [WASIHost]]>([:])

    func checkout(_ key: PoolKey) -> WASIHost? {
        idle.withLock { $0[key]?.popLast() }
    }

    func checkin(_ key: PoolKey, _ host: WASIHost) {
        let extra: WASIHost? = idle.withLock { hosts in
            guard hosts[key, default: []].count < Self.perFunction else { return host }
            hosts[key, default: []].append(host)
            return nil
        }
        extra?.session.close()
    }

    /// Closes the hosts of functions whose key `keep` refuses.
    func retain(_ keep: (PoolKey) -> Bool) {
        let gone = idle.withLock { hosts in
            let gone = hosts.filter { !keep($0.key) }.values.flatMap { $0 }
            hosts = hosts.filter { keep($0.key) }
            return gone
        }
        for host in gone { host.session.close() }
    }
}
