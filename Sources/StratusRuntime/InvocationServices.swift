import Logging
import StratusEngine
import StratusModel
import StratusStore

/// The host services of one invocation: the app's KV namespace under the function's grants.
/// Called on the worker thread running the guest, so the store's blocking calls are fine here.
struct InvocationServices: HostServices {
    let app: String
    let grants: [KVGrant]
    let store: any KeyValueStore
    let logger: Logger

    /// Outbound HTTP is not implemented yet: every request is refused as DENIED, the ABI's
    /// answer for a host not allowed.
    func httpGet(url: String) -> HostResult<[UInt8]> {
        .failure(.denied)
    }

    func kvGet(_ key: [UInt8]) -> HostResult<[UInt8]> {
        guard allows(.get, key) else { return .failure(.denied) }
        return run { try store.get(app: app, key: key).map { .success($0) } ?? .failure(.notFound) }
    }

    func kvSet(_ key: [UInt8], _ value: [UInt8]) -> HostResult<Void> {
        guard allows(.set, key) else { return .failure(.denied) }
        return run { .success(try store.set(app: app, key: key, value: value)) }
    }

    func kvDelete(_ key: [UInt8]) -> HostResult<Void> {
        guard allows(.delete, key) else { return .failure(.denied) }
        return run { try store.delete(app: app, key: key) ? .success(()) : .failure(.notFound) }
    }

    func kvCompareAndSwap(_ key: [UInt8], expected: [UInt8]?, value: [UInt8]) -> HostResult<Void> {
        guard allows(.set, key) else { return .failure(.denied) }
        return run { try store.compareAndSwap(app: app, key: key, expected: expected, value: value) ? .success(()) : .failure(.conflict) }
    }

    func kvIncrement(_ key: [UInt8], by delta: Int64) -> HostResult<Int64> {
        guard allows(.set, key) else { return .failure(.denied) }
        return run { .success(try store.increment(app: app, key: key, by: delta)) }
    }

    /// Only keys some `scan` grant matches are returned; a prefix no such grant can match is DENIED.
    func kvScan(prefix: [UInt8], limit: Int) -> HostResult<[KVEntry]> {
        let patterns = grants.filter { $0.operations.contains(.scan) }.map(\.pattern)
            .filter { $0.mayMatchKeys(withPrefix: prefix) }
        guard !patterns.isEmpty else { return .failure(.denied) }
        return run {
            var entries: [KVEntry] = []
            var after: [UInt8]?
            // Keys outside the grants are skipped, so read on until `limit` granted keys are found.
            while entries.count < limit {
                let page = try store.scan(app: app, prefix: prefix, after: after, limit: limit)
                for pair in page where patterns.contains(where: { $0.matches(pair.key) }) && entries.count < limit {
                    entries.append(KVEntry(key: pair.key, value: pair.value))
                }
                guard page.count == limit, let last = page.last else { break }
                after = last.key
            }
            return .success(entries)
        }
    }

    private func allows(_ operation: KVOperation, _ key: [UInt8]) -> Bool {
        grants.contains { $0.operations.contains(operation) && $0.pattern.matches(key) }
    }

    /// Store failures become ABI codes: a value that is no number is INVALID, the rest FAILED.
    private func run<T>(_ body: () throws -> HostResult<T>) -> HostResult<T> {
        do {
            return try body()
        } catch let error as StratusError where error.kind == .badRequest {
            return .failure(.invalid)
        } catch {
            logger.error("KV store failure in app \(app): \(error)")
            return .failure(.failed)
        }
    }
}
