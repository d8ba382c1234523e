import Foundation
import GRDB
import Synchronization
import StratusModel

/// The embedded default: one SQLite file in the data folder, in WAL mode so reads go on during
/// writes. GRDB runs every access on its own queues, never on the caller's thread.
public final class SQLiteStore: Store {
    let pool: SQLiteAccess
    public let path: String
    /// Event id → the end of its claim's lease (seconds since 1970).
    private let claims = Mutex<[Int64: TimeInterval]>([:])

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        do {
            let database = try DatabasePool(path: path, configuration: configuration)
            // Every commit reaches the disk before it is acknowledged (README: durability). Set on
            // the writer once the pool is open: the pool sets NORMAL when it turns WAL on, after
            // any `prepareDatabase`.
            try database.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(database)
            pool = try SQLiteAccess(pool: database, path: path)
        } catch {
            throw StratusError(.unavailable, code: "store_unavailable", "cannot open the database at \(path): \(error)")
        }
    }

    public var problem: StratusError? { pool.problem }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "modules") { t in
                t.primaryKey("sha256", .text)
                t.column("bytes", .blob).notNull()
                t.column("created_at", .double).notNull()
            }
            try db.create(table: "apps") { t in
                t.primaryKey("name", .text)
                t.column("version", .integer).notNull()
                t.column("manifest", .text).notNull()
                t.column("modules", .text).notNull()
                t.column("deployed_at", .double).notNull()
            }
            try db.create(table: "routes") { t in
                t.column("method", .text).notNull()
                t.column("shape", .text).notNull()
                t.column("route", .text).notNull()
                t.column("app", .text).notNull().references("apps", column: "name", onDelete: .cascade)
                t.primaryKey(["method", "shape"])
            }
        }
        migrator.registerMigration("v2-kv") { db in
            // Keys are BLOBs so that they order by their bytes, as scans promise.
            try db.execute(sql: """
                CREATE TABLE kv (
                    app TEXT NOT NULL,
                    key BLOB NOT NULL,
                    value BLOB NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (app, key)
                ) WITHOUT ROWID
                """)
        }
        migrator.registerMigration("v3-events") { db in
            // `sequence` is what orders a KV trigger's events: app, function and key. Spawns have
            // none and run in any order.
            try db.execute(sql: """
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    app TEXT NOT NULL,
                    function TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    key BLOB,
                    op TEXT,
                    payload BLOB NOT NULL,
                    sequence BLOB,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    not_before REAL NOT NULL,
                    dead INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX events_due ON events (dead, not_before, id);
                CREATE INDEX events_sequence ON events (sequence, id) WHERE sequence IS NOT NULL;
                """)
        }
        migrator.registerMigration("v4-schedules") { db in
            try db.execute(sql: """
                CREATE TABLE schedules (
                    app TEXT NOT NULL,
                    function TEXT NOT NULL,
                    expression TEXT NOT NULL,
                    next_run REAL NOT NULL,
                    PRIMARY KEY (app, function, expression)
                )
                """)
        }
        return migrator
    }

    public func deploy(_ app: AppRecord, modules: [ModuleBlob], routes: [RouteClaim]) async throws -> AppRecord {
        try await pool.write { db in
            for claim in routes {
                if let holder = try String.fetchOne(db, sql: "SELECT app FROM routes WHERE method = ? AND shape = ? AND app != ?",
                                                    arguments: [claim.method, claim.shape, app.name]) {
                    throw StratusError(.conflict, code: "route_conflict",
                                       "route `\(claim.text)` is held by app `\(holder)`; change the route or delete that app first")
                }
            }
            let previous = try Int.fetchOne(db, sql: "SELECT version FROM apps WHERE name = ?", arguments: [app.name]) ?? 0
            var saved = app
            saved.version = previous + 1
            for module in modules {
                try db.execute(sql: "INSERT OR IGNORE INTO modules (sha256, bytes, created_at) VALUES (?, ?, ?)",
                               arguments: [module.sha256, Data(module.bytes), Date().timeIntervalSince1970])
            }
            try db.execute(sql: "DELETE FROM routes WHERE app = ?", arguments: [app.name])
            try db.execute(sql: """
                INSERT INTO apps (name, version, manifest, modules, deployed_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET version = excluded.version, manifest = excluded.manifest,
                    modules = excluded.modules, deployed_at = excluded.deployed_at
                """, arguments: [saved.name, saved.version, saved.manifest, try Self.encode(saved.files), saved.deployedAt.timeIntervalSince1970])
            for claim in routes {
                try db.execute(sql: "INSERT INTO routes (method, shape, route, app) VALUES (?, ?, ?, ?)",
                               arguments: [claim.method, claim.shape, claim.text, app.name])
            }
            try Self.deleteUnusedModules(db)
            return saved
        }
    }

    public func deleteApp(named name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM routes WHERE app = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM apps WHERE name = ?", arguments: [name])
            let deleted = db.changesCount > 0
            try Self.deleteUnusedModules(db)
            return deleted
        }
    }

    public func apps() async throws -> [AppRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM apps ORDER BY name").map(Self.record)
        }
    }

    public func app(named name: String) async throws -> AppRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM apps WHERE name = ?", arguments: [name]).map(Self.record)
        }
    }

    public func module(sha256: String) async throws -> [UInt8]? {
        try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM modules WHERE sha256 = ?", arguments: [sha256]).map { [UInt8]($0) }
        }
    }

    // MARK: Key-value

    public func get(app: String, key: [UInt8]) throws -> [UInt8]? {
        try pool.read { db in try Self.value(db, app, key) }
    }

    public func set(app: String, key: [UInt8], value: [UInt8], events: [EventTarget]) throws {
        try pool.write { db in
            try Self.put(db, app, key, value)
            try Self.addEvents(db, app, key, "set", value, events)
        }
    }

    public func delete(app: String, key: [UInt8], events: [EventTarget]) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM kv WHERE app = ? AND key = ?", arguments: [app, Data(key)])
            guard db.changesCount > 0 else { return false }
            try Self.addEvents(db, app, key, "delete", [], events)
            return true
        }
    }

    public func compareAndSwap(app: String, key: [UInt8], expected: [UInt8]?, value: [UInt8], events: [EventTarget]) throws -> Bool {
        try pool.write { db in
            guard try Self.value(db, app, key) == expected else { return false }
            try Self.put(db, app, key, value)
            try Self.addEvents(db, app, key, "set", value, events)
            return true
        }
    }

    public func increment(app: String, key: [UInt8], by delta: Int64, events: [EventTarget]) throws -> Int64 {
        try pool.write { db in
            var current: Int64 = 0
            if let bytes = try Self.value(db, app, key) {
                guard let number = Int64(String(decoding: bytes, as: UTF8.self)) else {
                    throw StratusError(.badRequest, code: "kv_not_a_number", "the value of the key is not a decimal integer")
                }
                current = number
            }
            let (sum, overflow) = current.addingReportingOverflow(delta)
            guard !overflow else { throw StratusError(.badRequest, code: "kv_overflow", "the sum does not fit in a 64-bit integer") }
            let text = Array(String(sum).utf8)
            try Self.put(db, app, key, text)
            try Self.addEvents(db, app, key, "set", text, events)
            return sum
        }
    }

    public func scan(app: String, prefix: [UInt8], after: [UInt8]?, limit: Int) throws -> [KVPair] {
        try pool.read { db in
            var sql = "SELECT key, value FROM kv WHERE app = ? AND key >= ?"
            var arguments: StatementArguments = [app, Data(prefix)]
            if let after {
                sql += " AND key > ?"
                arguments += [Data(after)]
            }
            if let upper = Self.upperBound(of: prefix) {
                sql += " AND key < ?"
                arguments += [Data(upper)]
            }
            sql += " ORDER BY key LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                KVPair(key: [UInt8](row["key"] as Data), value: [UInt8](row["value"] as Data))
            }
        }
    }

    private static func value(_ db: Database, _ app: String, _ key: [UInt8]) throws -> [UInt8]? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT value FROM kv WHERE app = ? AND key = ?"), arguments: [app, Data(key)]).map { [UInt8]($0) }
    }

    private static func put(_ db: Database, _ app: String, _ key: [UInt8], _ value: [UInt8]) throws {
        // Cached statements: the hot paths skip SQLite's parser.
        try db.cachedStatement(sql: """
            INSERT INTO kv (app, key, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(app, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """).execute(arguments: [app, Data(key), Data(value), Date().timeIntervalSince1970])
    }

    static func addEvents(_ db: Database, _ app: String, _ key: [UInt8], _ op: String, _ payload: [UInt8],
                                  _ targets: [EventTarget]) throws {
        for target in targets {
            try insertEvent(db, EventRecord(app: app, function: target.function, kind: .kv, key: key, op: op, payload: payload),
                            sequence: sequence(app, target.function, key))
        }
    }

    /// What orders a KV trigger's events: the same app, function and key.
    static func sequence(_ app: String, _ function: String, _ key: [UInt8]) -> Data {
        Data(Array("\(app)\u{0}\(function)\u{0}".utf8) + key)
    }

    @discardableResult
    static func insertEvent(_ db: Database, _ event: EventRecord, sequence: Data?) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO events (app, function, kind, key, op, payload, sequence, not_before, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [event.app, event.function, event.kind.rawValue, event.key.map { Data($0) }, event.op,
                             Data(event.payload), sequence, event.createdAt.timeIntervalSince1970, event.createdAt.timeIntervalSince1970])
        return db.lastInsertedRowID
    }

    // MARK: Events

    public func enqueue(_ event: EventRecord) throws -> Int64 {
        try pool.write { db in try Self.insertEvent(db, event, sequence: nil) }
    }

    /// Claims live in memory: one process owns a SQLite file, so a claim needs no disk write (and
    /// no fsync on the way from a write to its trigger). A crash forgets them, and the events run
    /// again: at least once. Claims change only inside the serialized writer, so a claim never
    /// sees an event that a completion has just removed.
    /// One node owns a SQLite file, so every event is placed on it: the scope changes nothing.
    public func claimEvents(node: String, now: Date, lease: TimeInterval, limit: Int, scope: ClaimScope?) async throws -> [EventRecord] {
        let time = now.timeIntervalSince1970
        return try await pool.write { db in
            let held = self.claims.withLock { claims in
                claims = claims.filter { $0.value > time }
                return claims.count
            }
            // The oldest live event of a sequence blocks the later ones, claimed or not.
            let candidates = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM events e
                WHERE e.dead = 0 AND e.not_before <= ?
                  AND (e.sequence IS NULL OR NOT EXISTS (
                      SELECT 1 FROM events p WHERE p.sequence = e.sequence AND p.id < e.id AND p.dead = 0))
                ORDER BY e.id LIMIT ?
                """), arguments: [time, limit + held]).map(Self.event)
            return self.claims.withLock { claims in
                var claimed: [EventRecord] = []
                for event in candidates where claimed.count < limit && claims[event.id] == nil {
                    claims[event.id] = time + lease
                    claimed.append(event)
                }
                return claimed
            }
        }
    }

    public func releaseClaims(node: String) async throws {
        claims.withLock { $0.removeAll() }
    }

    public func completeEvent(id: Int64) async throws {
        try await pool.write { db in
            try db.cachedStatement(sql: "DELETE FROM events WHERE id = ?").execute(arguments: [id])
            self.claims.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    public func failEvent(id: Int64, error: String, retryAt: Date?) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE events SET attempts = attempts + 1, last_error = ?, dead = ?, not_before = COALESCE(?, not_before) WHERE id = ?
                """, arguments: [error, retryAt == nil ? 1 : 0, retryAt?.timeIntervalSince1970, id])
            self.claims.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    public func postponeEvent(id: Int64, until: Date, reason: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE events SET last_error = ?, not_before = ? WHERE id = ?",
                           arguments: [reason, until.timeIntervalSince1970, id])
            self.claims.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    public func deadLetters(app: String?, limit: Int) async throws -> [EventRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE dead = 1 AND (? IS NULL OR app = ?) ORDER BY id LIMIT ?",
                             arguments: [app, app, limit]).map(Self.event)
        }
    }

    public func replayDeadLetter(id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE events SET dead = 0, attempts = 0, not_before = ? WHERE id = ? AND dead = 1
                """, arguments: [Date().timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    public func eventQueue(now: Date) async throws -> EventQueueStats {
        let time = now.timeIntervalSince1970
        return try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(dead = 0), 0) AS pending, COALESCE(SUM(dead = 1), 0) AS dead,
                       MIN(CASE WHEN dead = 0 AND not_before <= ? THEN not_before END) AS oldest
                FROM events
                """, arguments: [time])!
            let oldest: Double? = row["oldest"]
            return EventQueueStats(pending: row["pending"], deadLetters: row["dead"], lag: oldest.map { max(0, time - $0) } ?? 0)
        }
    }

    // MARK: Schedules

    public func replaceSchedules(app: String, _ schedules: [ScheduleRecord]) async throws {
        try await pool.write { db in
            let kept = Set(schedules.map { "\($0.function)\u{0}\($0.expression)" })
            for row in try Row.fetchAll(db, sql: "SELECT function, expression FROM schedules WHERE app = ?", arguments: [app]) {
                let function: String = row["function"], expression: String = row["expression"]
                if !kept.contains("\(function)\u{0}\(expression)") {
                    try db.execute(sql: "DELETE FROM schedules WHERE app = ? AND function = ? AND expression = ?",
                                   arguments: [app, function, expression])
                }
            }
            for schedule in schedules {
                try db.execute(sql: "INSERT OR IGNORE INTO schedules (app, function, expression, next_run) VALUES (?, ?, ?, ?)",
                               arguments: [app, schedule.function, schedule.expression, schedule.nextRun.timeIntervalSince1970])
            }
        }
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM schedules ORDER BY next_run").map { row in
                ScheduleRecord(app: row["app"], function: row["function"], expression: row["expression"],
                               nextRun: Date(timeIntervalSince1970: row["next_run"]))
            }
        }
    }

    public func fire(_ schedule: ScheduleRecord, nextRun: Date, placedOn: String?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE schedules SET next_run = ? WHERE app = ? AND function = ? AND expression = ? AND next_run = ?
                """, arguments: [nextRun.timeIntervalSince1970, schedule.app, schedule.function, schedule.expression,
                                 schedule.nextRun.timeIntervalSince1970])
            guard db.changesCount > 0 else { return false }
            try Self.insertEvent(db, EventRecord(app: schedule.app, function: schedule.function, kind: .cron,
                                                 payload: Array(schedule.expression.utf8), createdAt: schedule.nextRun), sequence: nil)
            return true
        }
    }

    static func event(_ row: Row) -> EventRecord {
        EventRecord(id: row["id"], app: row["app"], function: row["function"], kind: EventKind(rawValue: row["kind"]) ?? .async,
                    key: (row["key"] as Data?).map { [UInt8]($0) }, op: row["op"], payload: [UInt8](row["payload"] as Data),
                    attempts: row["attempts"], lastError: row["last_error"],
                    createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    /// The smallest byte string greater than every string starting with `prefix`; nil if none.
    static func upperBound(of prefix: [UInt8]) -> [UInt8]? {
        var bound = prefix
        while let last = bound.last {
            if last < 0xFF {
                bound[bound.count - 1] = last + 1
                return bound
            }
            bound.removeLast()
        }
        return nil
    }

    // MARK: Helpers

    private static func deleteUnusedModules(_ db: Database) throws {
        var used: Set<String> = []
        for json in try String.fetchAll(db, sql: "SELECT modules FROM apps") {
            used.formUnion(try decode(json).values)
        }
        for hash in try String.fetchAll(db, sql: "SELECT sha256 FROM modules") where !used.contains(hash) {
            try db.execute(sql: "DELETE FROM modules WHERE sha256 = ?", arguments: [hash])
        }
    }

    static func record(_ row: Row) throws -> AppRecord {
        AppRecord(name: row["name"], version: row["version"], manifest: row["manifest"],
                  files: try decode(row["modules"]), deployedAt: Date(timeIntervalSince1970: row["deployed_at"]))
    }

    static func encode(_ modules: [String: String]) throws -> String {
        String(decoding: try JSONEncoder().encode(modules), as: UTF8.self)
    }

    private static func decode(_ json: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }
}
