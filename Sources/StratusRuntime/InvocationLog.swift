import Foundation
import ServiceLifecycle
import Synchronization

/// The recent invocations of each app, newest last, in memory: at most `perApp` records an app
/// (the oldest go first; 0 keeps none) and `maxLogBytes` of log lines a record. Followers wait
/// for new records.
/// As a service, it lets its followers go at shutdown, so a server does not wait for their polls.
public final class InvocationLog: Service, Sendable {
    public let perApp: Int
    public let maxLogBytes: Int

    private struct State {
        var nextSeq: Int64 = 1
        var byApp: [String: Ring] = [:]
        var waiters: [UUID: (after: Int64, continuation: CheckedContinuation<Void, Never>)] = [:]
        var closed = false
    }
    private let state = Mutex(State())

    public init(perApp: Int = 1000, maxLogBytes: Int = 8 << 10) {
        self.perApp = perApp
        self.maxLogBytes = maxLogBytes
    }

    /// Consumes `record`: a record is a dozen references, and each copy retains them all.
    func add(_ record: consuming InvocationRecord) {
        // Moved into the lock's closure through an optional: a capture alone would copy it.
        var pending = Optional(record)
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var record = pending.take()!
            record.seq = state.nextSeq
            state.nextSeq += 1
            let (seq, app) = (record.seq, record.app)
            state.byApp[app, default: Ring(capacity: perApp)].append(consume record)
            guard !state.waiters.isEmpty else { return [] }
            let due = state.waiters.filter { $0.value.after < seq }
            for id in due.keys { state.waiters[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Records after `seq`, oldest first, at most `limit` of them; without `seq`, the newest `limit`.
    public func records(app: String?, function: String? = nil, after seq: Int64? = nil, limit: Int = 100) -> [InvocationRecord] {
        let all = state.withLock { state in
            app.map { state.byApp[$0]?.elements ?? [] } ?? state.byApp.values.flatMap(\.elements)
        }
        let chosen = all.filter { ($0.seq > (seq ?? 0)) && (function == nil || $0.function == function) }
            .sorted { $0.seq < $1.seq }
        return seq == nil ? Array(chosen.suffix(limit)) : Array(chosen.prefix(limit))
    }

    /// The newest record's number (0 before any): pass it as `after` to hear only of later ones.
    public var latest: Int64 { state.withLock { $0.nextSeq - 1 } }

    /// Returns when a record after `seq` exists or `timeout` has passed: true, or false once
    /// the server is shutting down.
    @discardableResult
    public func wait(after seq: Int64, timeout: Duration) async -> Bool {
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.closed || state.nextSeq - 1 > seq { return true }
                state.waiters[id] = (seq, continuation)
                return false
            }
            if ready {
                continuation.resume()
                return
            }
            // Started once the waiter is in place, so it cannot fire too early to find it.
            Task { [self] in
                try? await Task.sleep(for: timeout)
                state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
            }
        }
        return !state.withLock { $0.closed }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return state.waiters.values.map(\.continuation)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// A fixed-size ring: appending past capacity drops the oldest.
    struct Ring {
        let capacity: Int
        private var storage: [InvocationRecord] = []
        private var head = 0

        init(capacity: Int) {
            self.capacity = capacity
        }

        mutating func append(_ record: consuming InvocationRecord) {
            if capacity == 0 {
                return
            } else if storage.count < capacity {
                storage.append(consume record)
            } else {
                storage[head] = consume record
                head = (head + 1) % capacity
            }
        }

        var elements: [InvocationRecord] { Array(storage[head...] + storage[..<head]) }
    }
}
