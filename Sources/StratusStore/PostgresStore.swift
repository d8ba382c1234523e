import Foundation
import Logging
import NIOCore
import PostgresNIO
import StratusModel

/// The store of a cluster: the platform's state in a PostgreSQL database that every node
/// shares. Claims of events live in the database (node and lease), so a node's claims outlive
/// it only until their lease ends.
public final class PostgresStore: Store {
    let client: PostgresClient
    /// For sessions that outlive one call (an export's snapshot, an import's transaction).
    let connectionConfiguration: PostgresConnection.Configuration
    let logger: Logger
    private let running: Task<Void, Never>
    /// The URL without its password, for messages.
    public let location: String

    /// Connects to `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`) and brings the schema up
    /// to date. Throws `store_unavailable` when the server cannot be reached.
    public init(url: String, logger: Logger = Logger(label: "stratus.postgres")) async throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, let user = components.user else {
            throw StratusError(.badRequest, code: "bad_store_url",
                               "`\(url)` is not a PostgreSQL URL; write postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        let database = String(components.path.drop { $0 == "/" })
        var configuration = PostgresClient.Configuration(host: host, port: components.port ?? 5432, username: user,
                                                         password: components.password, database: database.isEmpty ? nil : database,
                                                         tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        connectionConfiguration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        location = "postgres://\(user)@\(host):\(components.port ?? 5432)/\(database)"
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        running = Task(executorPreference: BlockingBridge.shared) { await client.run() }
        do {
            try await PostgresSchema.migrate(client, logger: logger)
        } catch {
            running.cancel()
            // The operator starting the server hears where it looked.
            let failure = Self.unavailable(error)
            throw StratusError(failure.kind, code: failure.code, "\(location): \(failure.message)")
        }
    }

    deinit { running.cancel() }

    /// A failure as a client hears of it: the kind of failure and the SQLSTATE, never the query
    /// or the server's address (a function's caller may hear it).
    static func unavailable(_ error: any Error) -> StratusError {
        if let error = error as? StratusError { return error }
        var why = "an unexpected failure"
        if let error = error as? PSQLError {
            why = "\(error.code)" + (error.serverInfo?[.sqlState].map { " SQLSTATE \($0)" } ?? "")
        }
        return StratusError(.unavailable, code: "store_unavailable", "the PostgreSQL store is not answering (\(why)); check that it runs and is reachable")
    }

    /// Runs `body` to completion for a synchronous store call.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        try BlockingBridge.shared.wait(body)
    }

    /// Runs `body` in a transaction, store failures reported as `store_unavailable`.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let (client, logger) = (client, logger)
        return try await bounded {
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                // The body's own error (a route conflict, say) before the transaction's.
                throw Self.unavailable(error.closureError ?? error)
            } catch {
                throw Self.unavailable(error)
            }
        }
    }

    /// Runs one query outside a transaction, its rows collected.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let (client, logger) = (client, logger)
        return try await bounded {
            do {
                return try await client.query(query, logger: logger).collect()
            } catch {
                throw Self.unavailable(error)
            }
        }
    }

    /// How long a call may wait for the server: while it is away, callers hear so (503)
    /// instead of waiting for a connection that may not come.
    static let answerWithin = Duration.seconds(5)

    /// `body`, or `store_unavailable` once ``answerWithin`` has passed (the late work is cancelled).
    private func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = FirstOutcome<T>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.wait(continuation)
            let work = Task(executorPreference: BlockingBridge.shared) {
                do { outcome.settle(.success(try await body())) } catch { outcome.settle(.failure(error)) }
            }
            outcome.expire(after: Self.answerWithin) {
                work.cancel()
                return StratusError(.unavailable, code: "store_unavailable",
                                    "the PostgreSQL store did not answer within \(Self.answerWithin); check that it runs and is reachable")
            }
        }
    }

    // MARK: Apps

    public func deploy(_ app: AppRecord, modules: [ModuleBlob], routes: [RouteClaim]) async throws -> AppRecord {
        let logger = logger
        return try await transaction { db in
            // One deploy of an app at a time, so versions count up without gaps.
            try await db.query("SELECT pg_advisory_xact_lock(hashtext(\("app:" + app.name)))", logger: logger)
            for claim in routes {
                for try await holder in try await db.query("""
                    SELECT app FROM routes WHERE method = \(claim.method) AND shape = \(claim.shape) AND app <> \(app.name)
                    """, logger: logger).decode(String.self) {
                    throw StratusError(.conflict, code: "route_conflict",
                                       "route `\(claim.text)` is held by app `\(holder)`; change the route or delete that app first")
                }
            }
            var previous = 0
            for try await version in try await db.query("SELECT version FROM apps WHERE name = \(app.name)", logger: logger).decode(Int.self) {
                previous = version
            }
            var saved = app
            saved.version = previous + 1
            for module in modules {
                try await db.query("""
                    INSERT INTO modules (sha256, bytes, created_at) VALUES (\(module.sha256), \(ByteBuffer(bytes: module.bytes)), \(Date().timeIntervalSince1970))
                    ON CONFLICT (sha256) DO NOTHING
                    """, logger: logger)
            }
            try await db.query("DELETE FROM routes WHERE app = \(app.name)", logger: logger)
            try await db.query("""
                INSERT INTO apps (name, version, manifest, modules, deployed_at)
                VALUES (\(saved.name), \(saved.version), \(saved.manifest), \(try Self.encode(saved.files)), \(saved.deployedAt.timeIntervalSince1970))
                ON CONFLICT (name) DO UPDATE SET version = excluded.version, manifest = excluded.manifest,
                    modules = excluded.modules, deployed_at = excluded.deployed_at
                """, logger: logger)
            for claim in routes {
                // A concurrent deploy of another app may take the route first: the key says so.
                let taken = try await db.query("""
                    INSERT INTO routes (method, shape, route, app) VALUES (\(claim.method), \(claim.shape), \(claim.text), \(app.name))
                    ON CONFLICT (method, shape) DO NOTHING RETURNING 1
                    """, logger: logger).collect().isEmpty
                if taken {
                    throw StratusError(.conflict, code: "route_conflict", "route `\(claim.text)` was just taken by another app's deploy")
                }
            }
            try await Self.deleteUnusedModules(db, logger)
            try await Self.notify(db, "app:" + app.name, logger)
            return saved
        }
    }

    public func deleteApp(named name: String) async throws -> Bool {
        let logger = logger
        return try await transaction { db in
            try await db.query("DELETE FROM routes WHERE app = \(name)", logger: logger)
            let deleted = try await db.query("DELETE FROM apps WHERE name = \(name) RETURNING 1", logger: logger).collect()
            try await Self.deleteUnusedModules(db, logger)
            try await Self.notify(db, "app:" + name, logger)
            return !deleted.isEmpty
        }
    }

    public func apps() async throws -> [AppRecord] {
        try await rows("SELECT \(unescaped: Self.appColumns) FROM apps ORDER BY name").map(Self.app)
    }

    public func app(named name: String) async throws -> AppRecord? {
        try await rows("SELECT \(unescaped: Self.appColumns) FROM apps WHERE name = \(name)").first.map(Self.app)
    }

    public func module(sha256: String) async throws -> [UInt8]? {
        try await rows("SELECT bytes FROM modules WHERE sha256 = \(sha256)").first.map { Array(buffer: try $0.decode(ByteBuffer.self)) }
    }

    static let appColumns = "name, version, manifest, modules, deployed_at"

    /// A row of ``appColumns``.
    static func app(_ row: PostgresRow) throws -> AppRecord {
        let (name, version, manifest, modules, deployedAt) = try row.decode((String, Int, String, String, Double).self)
        return AppRecord(name: name, version: version, manifest: manifest,
                         files: try JSONDecoder().decode([String: String].self, from: Data(modules.utf8)),
                         deployedAt: Date(timeIntervalSince1970: deployedAt))
    }

    static func encode(_ modules: [String: String]) throws -> String {
        String(decoding: try JSONEncoder().encode(modules), as: UTF8.self)
    }

    private static func deleteUnusedModules(_ db: PostgresConnection, _ logger: Logger) async throws {
        var used: Set<String> = []
        for try await json in try await db.query("SELECT modules FROM apps", logger: logger).decode(String.self) {
            used.formUnion(try JSONDecoder().decode([String: String].self, from: Data(json.utf8)).values)
        }
        try await db.query("DELETE FROM modules WHERE NOT (sha256 = ANY(\(Array(used))))", logger: logger)
    }

    // MARK: Key-value

    public func get(app: String, key: [UInt8]) throws -> [UInt8]? {
        try blocking { [self] in
            try await rows("SELECT value FROM kv WHERE app = \(app) AND key = \(ByteBuffer(bytes: key))").first
                .map { Array(buffer: try $0.decode(ByteBuffer.self)) }
        }
    }

    public func set(app: String, key: [UInt8], value: [UInt8], events: [EventTarget]) throws {
        try blocking { [self] in
            try await transaction { [self] db in
                try await Self.put(db, app, key, value, logger)
                try await Self.addEvents(db, app, key, "set", value, events, logger)
            }
        }
    }

    public func delete(app: String, key: [UInt8], events: [EventTarget]) throws -> Bool {
        try blocking { [self] in
            try await transaction { [self] db in
                let deleted = try await db.query("DELETE FROM kv WHERE app = \(app) AND key = \(ByteBuffer(bytes: key)) RETURNING 1",
                                                 logger: logger).collect()
                guard !deleted.isEmpty else { return false }
                try await Self.addEvents(db, app, key, "delete", [], events, logger)
                return true
            }
        }
    }

    public func compareAndSwap(app: String, key: [UInt8], expected: [UInt8]?, value: [UInt8], events: [EventTarget]) throws -> Bool {
        try blocking { [self] in
            try await transaction { [self] db in
                let now = Date().timeIntervalSince1970
                let written: [PostgresRow]
                if let expected {
                    written = try await db.query("""
                        UPDATE kv SET value = \(ByteBuffer(bytes: value)), updated_at = \(now)
                        WHERE app = \(app) AND key = \(ByteBuffer(bytes: key)) AND value = \(ByteBuffer(bytes: expected)) RETURNING 1
                        """, logger: logger).collect()
                } else {
                    written = try await db.query("""
                        INSERT INTO kv (app, key, value, updated_at) VALUES (\(app), \(ByteBuffer(bytes: key)), \(ByteBuffer(bytes: value)), \(now))
                        ON CONFLICT (app, key) DO NOTHING RETURNING 1
                        """, logger: logger).collect()
                }
                guard !written.isEmpty else { return false }
                try await Self.addEvents(db, app, key, "set", value, events, logger)
                return true
            }
        }
    }

    public func increment(app: String, key: [UInt8], by delta: Int64, events: [EventTarget]) throws -> Int64 {
        try blocking { [self] in
            try await transaction { [self] db in
                // The row is made if absent, then locked: concurrent increments wait for each other.
                try await db.query("""
                    INSERT INTO kv (app, key, value, updated_at) VALUES (\(app), \(ByteBuffer(bytes: key)), \(ByteBuffer(bytes: Array("0".utf8))), \(Date().timeIntervalSince1970))
                    ON CONFLICT (app, key) DO NOTHING
                    """, logger: logger)
                let current = try await db.query("SELECT value FROM kv WHERE app = \(app) AND key = \(ByteBuffer(bytes: key)) FOR UPDATE",
                                                 logger: logger).collect().first.map { Array(buffer: try $0.decode(ByteBuffer.self)) } ?? []
                guard let number = Int64(String(decoding: current, as: UTF8.self)) else {
                    throw StratusError(.badRequest, code: "kv_not_a_number", "the value of the key is not a decimal integer")
                }
                let (sum, overflow) = number.addingReportingOverflow(delta)
                guard !overflow else { throw StratusError(.badRequest, code: "kv_overflow", "the sum does not fit in a 64-bit integer") }
                let text = Array(String(sum).utf8)
                try await Self.put(db, app, key, text, logger)
                try await Self.addEvents(db, app, key, "set", text, events, logger)
                return sum
            }
        }
    }

    public func scan(app: String, prefix: [UInt8], after: [UInt8]?, limit: Int) throws -> [KVPair] {
        try blocking { [self] in
            // The least key past `after` is `after` followed by a zero byte.
            let next = after.map { $0 + [0] } ?? prefix
            let lower = ByteBuffer(bytes: prefix.lexicographicallyPrecedes(next) ? next : prefix)
            let upper = SQLiteStore.upperBound(of: prefix).map { ByteBuffer(bytes: $0) }
            return try await rows("""
                SELECT key, value FROM kv WHERE app = \(app) AND key >= \(lower) AND (\(upper)::bytea IS NULL OR key < \(upper))
                ORDER BY key LIMIT \(limit)
                """).map { row in
                let (key, value) = try row.decode((ByteBuffer, ByteBuffer).self)
                return KVPair(key: Array(buffer: key), value: Array(buffer: value))
            }
        }
    }

    static func put(_ db: PostgresConnection, _ app: String, _ key: [UInt8], _ value: [UInt8], _ logger: Logger) async throws {
        try await db.query("""
            INSERT INTO kv (app, key, value, updated_at) VALUES (\(app), \(ByteBuffer(bytes: key)), \(ByteBuffer(bytes: value)), \(Date().timeIntervalSince1970))
            ON CONFLICT (app, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, logger: logger)
    }
}
