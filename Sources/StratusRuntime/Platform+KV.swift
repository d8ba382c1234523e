import StratusModel
import StratusStore

/// KV access for people (the admin API and CLI), with the limits guests have. The store's calls
/// block, so they run on the worker pool.
extension Platform {
    public func kvGet(app: String, key: String) async throws -> [UInt8] {
        let key = try Self.checkKey(app: app, key)
        let store = self.store
        metrics.kv(app: app, op: "get")
        guard let value = try await pool.run({ try store.get(app: app, key: key) }) else {
            throw Self.noKey(app, key)
        }
        return value
    }

    public func kvSet(app: String, key: String, value: [UInt8]) async throws {
        let key = try Self.checkKey(app: app, key)
        guard value.count <= engine.limits.maxValueBytes else {
            throw StratusError(.tooLarge, code: "kv_value_too_large",
                               "the value is \(value.count) bytes; values are limited to \(engine.limits.maxValueBytes) bytes")
        }
        let store = self.store
        let events = self.app(named: app)?.eventTargets(key: key, op: .set, in: cluster) ?? []
        metrics.kv(app: app, op: "set")
        try await pool.run { try store.set(app: app, key: key, value: value, events: events) }
        if !events.isEmpty { eventBell.signal() }
    }

    public func kvDelete(app: String, key: String) async throws {
        let key = try Self.checkKey(app: app, key)
        let store = self.store
        let events = self.app(named: app)?.eventTargets(key: key, op: .delete, in: cluster) ?? []
        metrics.kv(app: app, op: "delete")
        guard try await pool.run({ try store.delete(app: app, key: key, events: events) }) else {
            throw Self.noKey(app, key)
        }
        if !events.isEmpty { eventBell.signal() }
    }

    /// Up to `limit` pairs whose key starts with `prefix`, after the key `after`.
    public func kvList(app: String, prefix: String, after: String?, limit: Int) async throws -> [KVPair] {
        guard Names.isValidApp(app) else { throw Self.badApp(app) }
        let store = self.store
        let limit = min(max(limit, 1), engine.limits.maxScanLimit)
        metrics.kv(app: app, op: "scan")
        return try await pool.run { try store.scan(app: app, prefix: Array(prefix.utf8), after: after.map { Array($0.utf8) }, limit: limit) }
    }

    private static func noKey(_ app: String, _ key: [UInt8]) -> StratusError {
        StratusError(.notFound, code: "kv_key_not_found", "app `\(app)` has no key `\(String(decoding: key, as: UTF8.self))`")
    }

    private static func checkKey(app: String, _ key: String) throws -> [UInt8] {
        guard Names.isValidApp(app) else { throw badApp(app) }
        guard (1...512).contains(key.utf8.count) else {
            throw StratusError(key.isEmpty ? .badRequest : .tooLarge, code: "kv_key_invalid", "a key must be 1 to 512 bytes of UTF-8; this one has \(key.utf8.count)")
        }
        // In a URL a `.` or `..` segment means a move in the path, which a proxy may apply:
        // refuse such keys rather than store one that names another place.
        guard !key.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) else {
            throw StratusError(.badRequest, code: "kv_key_invalid", "`\(key)` has a `.` or `..` segment, which URLs treat as a path move; choose a key without them")
        }
        return Array(key.utf8)
    }

    private static func badApp(_ app: String) -> StratusError {
        StratusError(.badRequest, code: "app_invalid", "`\(app)` is not a valid app name: use [a-z0-9-], 1 to 63 characters")
    }
}
