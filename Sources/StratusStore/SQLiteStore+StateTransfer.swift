import Foundation
import GRDB
import StratusModel

extension SQLiteStore {
    /// One read transaction: in WAL mode it sees one moment of the file while writers go on.
    public func exportState(_ visit: (StateItem) throws -> Void) throws {
        try pool.read { db in
            let modules = try Row.fetchCursor(db, sql: "SELECT sha256, bytes FROM modules ORDER BY sha256")
            while let row = try modules.next() {
                try visit(.module(ModuleBlob(sha256: row["sha256"], bytes: [UInt8](row["bytes"] as Data))))
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM apps ORDER BY name") {
                let app = try Self.record(row)
                let routes = try Row.fetchAll(db, sql: "SELECT method, shape, route FROM routes WHERE app = ? ORDER BY method, shape",
                                              arguments: [app.name]).map {
                    RouteClaim(method: $0["method"], shape: $0["shape"], text: $0["route"])
                }
                try visit(.app(app, routes: routes))
            }
            let pairs = try Row.fetchCursor(db, sql: "SELECT app, key, value FROM kv ORDER BY app, key")
            while let row = try pairs.next() {
                try visit(.kv(app: row["app"], pair: KVPair(key: [UInt8](row["key"] as Data), value: [UInt8](row["value"] as Data))))
            }
            let events = try Row.fetchCursor(db, sql: "SELECT * FROM events ORDER BY id")
            while let row = try events.next() {
                try visit(.event(Self.event(row), notBefore: Date(timeIntervalSince1970: row["not_before"]), dead: row["dead"] as Bool))
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM schedules ORDER BY app, function, expression") {
                try visit(.schedule(ScheduleRecord(app: row["app"], function: row["function"], expression: row["expression"],
                                                   nextRun: Date(timeIntervalSince1970: row["next_run"]))))
            }
        }
    }

    public func isEmpty() throws -> Bool {
        try pool.read(Self.isEmpty)
    }

    private static func isEmpty(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT NOT EXISTS (SELECT 1 FROM apps) AND NOT EXISTS (SELECT 1 FROM kv)
               AND NOT EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM schedules)
            """) ?? false
    }

    public func importState(_ produce: (_ add: (StateItem) throws -> Void) throws -> Void) throws {
        try pool.write { db in
            guard try Self.isEmpty(db) else { throw StratusError.storeNotEmpty }
            try produce { item in try Self.insert(item, db) }
        }
    }

    private static func insert(_ item: StateItem, _ db: Database) throws {
        switch item {
        case .module(let module):
            try db.execute(sql: "INSERT OR IGNORE INTO modules (sha256, bytes, created_at) VALUES (?, ?, ?)",
                           arguments: [module.sha256, Data(module.bytes), Date().timeIntervalSince1970])
        case .app(let app, let routes):
            try db.execute(sql: "INSERT INTO apps (name, version, manifest, modules, deployed_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [app.name, app.version, app.manifest, try encode(app.files), app.deployedAt.timeIntervalSince1970])
            for claim in routes {
                try db.execute(sql: "INSERT INTO routes (method, shape, route, app) VALUES (?, ?, ?, ?)",
                               arguments: [claim.method, claim.shape, claim.text, app.name])
            }
        case .kv(let app, let pair):
            try db.cachedStatement(sql: "INSERT INTO kv (app, key, value, updated_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [app, Data(pair.key), Data(pair.value), Date().timeIntervalSince1970])
        case .event(let event, let notBefore, let dead):
            // Ids are kept: dead letters keep the numbers an operator has seen.
            try db.cachedStatement(sql: """
                INSERT INTO events (id, app, function, kind, key, op, payload, sequence, attempts, not_before, dead, last_error, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    event.id, event.app, event.function, event.kind.rawValue, event.key.map { Data($0) }, event.op, Data(event.payload),
                    event.kind == .kv ? event.key.map { sequence(event.app, event.function, $0) } : nil,
                    event.attempts, notBefore.timeIntervalSince1970, dead, event.lastError, event.createdAt.timeIntervalSince1970,
                ])
        case .schedule(let schedule):
            try db.execute(sql: "INSERT INTO schedules (app, function, expression, next_run) VALUES (?, ?, ?, ?)",
                           arguments: [schedule.app, schedule.function, schedule.expression, schedule.nextRun.timeIntervalSince1970])
        }
    }
}
