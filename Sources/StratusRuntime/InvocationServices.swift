import Foundation
import Logging
import StratusEngine
import StratusModel
import StratusStore
import Synchronization

/// The host services of one invocation: the app's KV namespace under the function's grants,
/// and spawns of the functions it may call. Called on the worker thread running the guest, so
/// the store's blocking calls are fine here. A class: an instance's context holds it as `any
/// HostServices`, which for a struct this size meant a heap box per copy.
final class InvocationServices: HostServices {
    let platform: Platform
    let app: DeployedApp
    let function: FunctionSpec
    /// How many calls deep this invocation runs: 0 for one a trigger started.
    let depth: Int
    /// When this invocation must end; no call it makes outlives it.
    let deadline: ContinuousClock.Instant
    /// Set when the store did not answer: a function that fails after that failed for it.
    /// Held here, not in an object of its own: one allocation fewer per invocation.
    private let outage = Mutex<StratusError?>(nil)
    var outageSeen: StratusError? { outage.withLock { $0 } }

    init(platform: Platform, app: DeployedApp, function: FunctionSpec, depth: Int, deadline: ContinuousClock.Instant) {
        (self.platform, self.app, self.function, self.depth, self.deadline) = (platform, app, function, depth, deadline)
    }

    private var store: any Store { platform.store }

    /// A request to an origin of the app's `outbound:` list (redirects too); INVALID for a
    /// URL that does not parse.
    func httpFetch(method: String, url: String, body: [UInt8]) -> HostResult<HTTPReply> {
        guard let parsed = URL(string: url), parsed.scheme != nil else { return .failure(.invalid) }
        let allowList = OutboundAllowList(app.manifest.outbound)
        return platform.outbound.fetch(method: method, url: parsed, body: body, deadline: deadline) { allowList.allows($0) }
    }

    // MARK: KV

    func kvGet(_ key: [UInt8]) -> HostResult<[UInt8]> {
        guard allows(.get, key) else { return .failure(.denied) }
        platform.metrics.kv(app: app.name, op: "get")
        return run { try store.get(app: app.name, key: key).map { .success($0) } ?? .failure(.notFound) }
    }

    func kvSet(_ key: [UInt8], _ value: [UInt8]) -> HostResult<Void> {
        guard allows(.set, key) else { return .failure(.denied) }
        platform.metrics.kv(app: app.name, op: "set")
        return write(key, .set) { .success(try store.set(app: app.name, key: key, value: value, events: $0)) }
    }

    func kvDelete(_ key: [UInt8]) -> HostResult<Void> {
        guard allows(.delete, key) else { return .failure(.denied) }
        platform.metrics.kv(app: app.name, op: "delete")
        return write(key, .delete) { try store.delete(app: app.name, key: key, events: $0) ? .success(()) : .failure(.notFound) }
    }

    func kvCompareAndSwap(_ key: [UInt8], expected: [UInt8]?, value: [UInt8]) -> HostResult<Void> {
        guard allows(.set, key) else { return .failure(.denied) }
        platform.metrics.kv(app: app.name, op: "cas")
        return write(key, .set) {
            try store.compareAndSwap(app: app.name, key: key, expected: expected, value: value, events: $0) ? .success(()) : .failure(.conflict)
        }
    }

    func kvIncrement(_ key: [UInt8], by delta: Int64) -> HostResult<Int64> {
        guard allows(.set, key) else { return .failure(.denied) }
        platform.metrics.kv(app: app.name, op: "incr")
        return write(key, .set) { .success(try store.increment(app: app.name, key: key, by: delta, events: $0)) }
    }

    /// Only keys some `scan` grant matches are returned; a prefix no such grant can match is DENIED.
    func kvScan(prefix: [UInt8], limit: Int) -> HostResult<[KVEntry]> {
        let patterns = function.kv.filter { $0.operations.contains(.scan) }.map(\.pattern)
            .filter { $0.mayMatchKeys(withPrefix: prefix) }
        guard !patterns.isEmpty else { return .failure(.denied) }
        platform.metrics.kv(app: app.name, op: "scan")
        return run {
            var entries: [KVEntry] = []
            var after: [UInt8]?
            // Keys outside the grants are skipped, so read on until `limit` granted keys are found.
            while entries.count < limit {
                let page = try store.scan(app: app.name, prefix: prefix, after: after, limit: limit)
                for pair in page where patterns.contains(where: { $0.matches(pair.key) }) && entries.count < limit {
                    entries.append(KVEntry(key: pair.key, value: pair.value))
                }
                guard page.count == limit, let last = page.last else { break }
                after = last.key
            }
            return .success(entries)
        }
    }

    // MARK: Calls

    /// A durable asynchronous invocation of `name` (`function` or `app/function`), which the
    /// manifest's `calls:` must list.
    func spawn(_ name: String, input: [UInt8]) -> HostResult<Void> {
        let (callee, target): (DeployedApp, String)
        switch resolve(name) {
        case .success(let found): (callee, target) = found
        case .failure(let code): return .failure(code)
        }
        let result = run { () throws -> HostResult<Void> in
            _ = try store.enqueue(platform.spawnEvent(app: callee.name, function: target, input: input))
            return .success(())
        }
        platform.eventBell.signal()
        return result
    }

    /// Runs `name` on this thread, one level deeper; its failure is FAILED for the caller.
    func call(_ name: String, input: [UInt8]) -> HostResult<InvocationOutput> {
        let (callee, target): (DeployedApp, String)
        switch resolve(name) {
        case .success(let found): (callee, target) = found
        case .failure(let code): return .failure(code)
        }
        guard depth < maxDepth else { return .failure(.limit) }
        do {
            return .success(try platform.execute(callee, target, input: input, context: ["trigger": "call"],
                                                 Platform.Position(depth: depth + 1, deadline: deadline)))
        } catch {
            return .failure(.failed)
        }
    }

    /// The function `name` of this app, for a module that imports from it, one level deeper.
    func bind(_ name: String) -> HostResult<BoundFunction> {
        guard depth < maxDepth else { return .failure(.limit) }
        guard let spec = app.manifest.function(named: name), let module = app.module(for: name) else { return .failure(.notFound) }
        let invocation = platform.invocation(of: spec, in: app, input: [], context: ["trigger": "call"], deadline: deadline)
        let host = InvocationServices(platform: platform, app: app, function: spec, depth: depth + 1, deadline: invocation.limits.deadline)
        return .success(BoundFunction(module: module, invocation: invocation, host: host))
    }

    // MARK: WebSockets

    func wsSend(_ connection: String, _ data: [UInt8]) -> HostResult<Void> {
        platform.webSocket(ForwardedWebSocket(app: app.name, connection: connection, close: false, data: data), deadline: deadline)
    }

    func wsClose(_ connection: String) -> HostResult<Void> {
        platform.webSocket(ForwardedWebSocket(app: app.name, connection: connection, close: true, data: []), deadline: deadline)
    }

    /// How deep calls below this invocation may nest: the function's `limits.call_depth`, else the server's.
    private var maxDepth: Int { function.limits.callDepth ?? platform.defaults.callDepth }

    /// The app and name a `calls:` entry names: DENIED unless listed (and, in another app,
    /// unless its function lists this one in `callers:`), NOT_FOUND unless deployed.
    private func resolve(_ name: String) -> HostResult<(DeployedApp, String)> {
        guard function.calls.contains(name) else { return .failure(.denied) }
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        let (appName, target) = parts.count == 2 ? (parts[0], parts[1]) : (app.name, name)
        let callee = appName == app.name ? app : platform.app(named: appName)
        guard let callee, let callable = callee.entry(named: target)?.callable else { return .failure(.notFound) }
        // Across apps both manifests must agree: the callee's `callers:` names this app or function.
        if callee.name != app.name {
            guard case .function(let spec) = callable,
                  spec.callers.contains(app.name) || spec.callers.contains("\(app.name)/\(function.name)")
            else { return .failure(.denied) }
        }
        return .success((callee, target))
    }

    // MARK: Helpers

    private func allows(_ operation: KVOperation, _ key: [UInt8]) -> Bool {
        function.kv.contains { $0.operations.contains(operation) && $0.pattern.matches(key) }
    }

    /// A write with the events of the triggers it matches, ringing the dispatcher's bell after.
    private func write<T>(_ key: [UInt8], _ op: KVEventOperation, _ body: ([EventTarget]) throws -> HostResult<T>) -> HostResult<T> {
        let events = app.eventTargets(key: key, op: op, in: platform.cluster)
        let result = run { try body(events) }
        if !events.isEmpty, case .success = result { platform.eventBell.signal() }
        return result
    }

    /// Store failures become ABI codes: a value that is no number is INVALID, the rest FAILED.
    private func run<T>(_ body: () throws -> HostResult<T>) -> HostResult<T> {
        do {
            return try body()
        } catch let error as StratusError where error.kind == .badRequest {
            return .failure(.invalid)
        } catch let error as StratusError where error.kind == .unavailable {
            outage.withLock { $0 = error }
            return .failure(.failed)
        } catch {
            platform.logger.error("store failure in app \(app.name): \(error)")
            return .failure(.failed)
        }
    }
}
