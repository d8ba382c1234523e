import Foundation
import Logging
import NIOCore
import PostgresNIO
import StratusModel

extension PostgresStore {
    /// One REPEATABLE READ transaction on a connection of its own, read through cursors a batch
    /// at a time: one moment of the database, in constant memory, while writers go on.
    public func exportState(_ visit: (StateItem) throws -> Void) throws {
        let session = try Session(self)
        defer { session.close() }
        try session.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try session.each("SELECT sha256, bytes FROM modules ORDER BY sha256", visit) { row in
            let (sha256, bytes) = try row.decode((String, ByteBuffer).self)
            return .module(ModuleBlob(sha256: sha256, bytes: Array(buffer: bytes)))
        }
        let routes = try session.rows("SELECT app, method, shape, route FROM routes ORDER BY method, shape").map { row in
            let (app, method, shape, text) = try row.decode((String, String, String, String).self)
            return (app, RouteClaim(method: method, shape: shape, text: text))
        }
        try session.each("SELECT \(unescaped: Self.appColumns) FROM apps ORDER BY name", visit) { row in
            let app = try Self.app(row)
            return .app(app, routes: routes.filter { $0.0 == app.name }.map(\.1))
        }
        try session.each("SELECT app, key, value FROM kv ORDER BY app, key", visit) { row in
            let (app, key, value) = try row.decode((String, ByteBuffer, ByteBuffer).self)
            return .kv(app: app, pair: KVPair(key: Array(buffer: key), value: Array(buffer: value)))
        }
        try session.each("SELECT \(unescaped: Self.eventColumns) FROM events ORDER BY id", visit) { row in
            let (event, notBefore, dead) = try Self.eventState(row)
            return .event(event, notBefore: notBefore, dead: dead)
        }
        try session.each("SELECT app, function, expression, next_run FROM schedules ORDER BY app, function, expression", visit) { row in
            let (app, function, expression, nextRun) = try row.decode((String, String, String, Double).self)
            return .schedule(ScheduleRecord(app: app, function: function, expression: expression, nextRun: Date(timeIntervalSince1970: nextRun)))
        }
        try session.run("COMMIT")
    }

    public func isEmpty() throws -> Bool {
        try blocking { [self] in try await rows(PostgresQuery(unsafeSQL: Self.emptySQL))[0].decode(Bool.self) }
    }

    private static let emptySQL = """
        SELECT NOT EXISTS (SELECT 1 FROM apps) AND NOT EXISTS (SELECT 1 FROM kv)
           AND NOT EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM schedules)
        """

    public func importState(_ produce: (_ add: (StateItem) throws -> Void) throws -> Void) throws {
        let session = try Session(self)
        defer { session.close() }
        try session.run("BEGIN")
        do {
            guard try session.rows(PostgresQuery(unsafeSQL: Self.emptySQL))[0].decode(Bool.self) else { throw StratusError.storeNotEmpty }
            try produce { item in try session.run(Self.insert(item)) }
            // Later events are numbered after the imported ones.
            try session.run("SELECT setval(pg_get_serial_sequence('events', 'id'), GREATEST((SELECT MAX(id) FROM events), 1))")
            // Every node reads the restored state again (this one too, through its platform).
            try session.run("SELECT pg_notify(\(Self.channel), 'resync')")
            try session.run("COMMIT")
        } catch {
            try? session.run("ROLLBACK")
            throw error
        }
    }

    private static func insert(_ item: StateItem) -> [PostgresQuery] {
        let now = Date().timeIntervalSince1970
        switch item {
        case .module(let module):
            return ["INSERT INTO modules (sha256, bytes, created_at) VALUES (\(module.sha256), \(ByteBuffer(bytes: module.bytes)), \(now)) ON CONFLICT DO NOTHING"]
        case .app(let app, let routes):
            let modules = (try? encode(app.files)) ?? "{}"
            return ["""
                INSERT INTO apps (name, version, manifest, modules, deployed_at)
                VALUES (\(app.name), \(app.version), \(app.manifest), \(modules), \(app.deployedAt.timeIntervalSince1970))
                """] + routes.map { claim in
                "INSERT INTO routes (method, shape, route, app) VALUES (\(claim.method), \(claim.shape), \(claim.text), \(app.name))"
            }
        case .kv(let app, let pair):
            return ["INSERT INTO kv (app, key, value, updated_at) VALUES (\(app), \(ByteBuffer(bytes: pair.key)), \(ByteBuffer(bytes: pair.value)), \(now))"]
        case .event(let event, let notBefore, let dead):
            let sequence = event.kind == .kv ? event.key.map { ByteBuffer(data: SQLiteStore.sequence(event.app, event.function, $0)) } : nil
            return ["""
                INSERT INTO events (id, app, function, kind, key, op, payload, sequence, attempts, not_before, dead, last_error, created_at)
                VALUES (\(event.id), \(event.app), \(event.function), \(event.kind.rawValue), \(event.key.map { ByteBuffer(bytes: $0) }), \(event.op),
                        \(ByteBuffer(bytes: event.payload)), \(sequence), \(event.attempts), \(notBefore.timeIntervalSince1970), \(dead),
                        \(event.lastError), \(event.createdAt.timeIntervalSince1970))
                """]
        case .schedule(let schedule):
            return ["""
                INSERT INTO schedules (app, function, expression, next_run)
                VALUES (\(schedule.app), \(schedule.function), \(schedule.expression), \(schedule.nextRun.timeIntervalSince1970))
                """]
        }
    }

    /// A connection of its own for a transaction that spans many blocking calls.
    final class Session: Sendable {
        private let store: PostgresStore
        private let connection: PostgresConnection

        init(_ store: PostgresStore) throws {
            self.store = store
            let configuration = store.connectionConfiguration, logger = store.logger
            connection = try store.blocking {
                do {
                    return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                } catch {
                    throw PostgresStore.unavailable(error)
                }
            }
        }

        func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
            let connection = connection, logger = store.logger
            return try store.blocking {
                do {
                    return try await connection.query(query, logger: logger).collect()
                } catch {
                    throw PostgresStore.unavailable(error)
                }
            }
        }

        func run(_ query: PostgresQuery) throws { _ = try rows(query) }

        func run(_ queries: [PostgresQuery]) throws {
            for query in queries { try run(query) }
        }

        /// Visits the rows of `query` a batch at a time through a cursor.
        func each(_ query: PostgresQuery, _ visit: (StateItem) throws -> Void, _ make: (PostgresRow) throws -> StateItem) throws {
            try run(PostgresQuery(unsafeSQL: "DECLARE export NO SCROLL CURSOR FOR " + query.sql))
            while true {
                let batch = try rows("FETCH 500 FROM export")
                if batch.isEmpty { break }
                for row in batch { try visit(try make(row)) }
            }
            try run("CLOSE export")
        }

        func close() {
            let connection = connection
            _ = try? store.blocking { try await connection.close() }
        }
    }
}
