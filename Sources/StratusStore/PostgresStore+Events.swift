import Foundation
import Logging
import NIOCore
import PostgresNIO

extension PostgresStore {
    static func addEvents(_ db: PostgresConnection, _ app: String, _ key: [UInt8], _ op: String, _ payload: [UInt8],
                          _ targets: [EventTarget], _ logger: Logger) async throws {
        for target in targets {
            try await insertEvent(db, EventRecord(app: app, function: target.function, kind: .kv, key: key, op: op, payload: payload,
                                                  placedOn: target.node),
                                  sequence: SQLiteStore.sequence(app, target.function, key), logger)
        }
    }

    @discardableResult
    static func insertEvent(_ db: PostgresConnection, _ event: EventRecord, sequence: Data?, _ logger: Logger) async throws -> Int64 {
        let time = event.createdAt.timeIntervalSince1970
        let rows = try await db.query("""
            INSERT INTO events (app, function, kind, key, op, payload, sequence, not_before, created_at, placed_on)
            VALUES (\(event.app), \(event.function), \(event.kind.rawValue), \(event.key.map { ByteBuffer(bytes: $0) }), \(event.op),
                    \(ByteBuffer(bytes: event.payload)), \(sequence.map { ByteBuffer(data: $0) }), \(time), \(time), \(event.placedOn))
            RETURNING id
            """, logger: logger).collect()
        try await notify(db, "events", logger)
        return try rows[0].decode(Int64.self)
    }

    // MARK: Events

    public func enqueue(_ event: EventRecord) throws -> Int64 {
        try blocking { [self] in
            try await transaction { [self] db in try await Self.insertEvent(db, event, sequence: nil, logger) }
        }
    }

    /// Due events no live claim holds, the oldest of each sequence only, claimed for `lease`
    /// seconds; other nodes skip the rows this one has locked. With a scope, an event placed on
    /// another node is left to it while it lives and the event is not yet overdue.
    public func claimEvents(node: String, now: Date, lease: TimeInterval, limit: Int, scope: ClaimScope?) async throws -> [EventRecord] {
        let time = now.timeIntervalSince1970
        let liveSince = scope?.liveSince.timeIntervalSince1970, stealBefore = scope?.stealBefore.timeIntervalSince1970
        return try await rows("""
            UPDATE events SET claimed_by = \(node), lease_until = \(time + lease)
            WHERE id IN (
                SELECT e.id FROM events e
                WHERE e.dead = FALSE AND e.not_before <= \(time) AND (e.lease_until IS NULL OR e.lease_until <= \(time))
                  AND (e.sequence IS NULL OR NOT EXISTS (
                      SELECT 1 FROM events p WHERE p.sequence = e.sequence AND p.id < e.id AND p.dead = FALSE))
                  AND (\(liveSince)::float8 IS NULL OR e.placed_on IS NULL OR e.placed_on = \(node)
                       OR e.not_before < \(stealBefore)::float8
                       OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.name = e.placed_on AND n.heartbeat_at >= \(liveSince)::float8))
                ORDER BY e.id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.eventColumns)
            """).map(Self.event).sorted { $0.id < $1.id }
    }

    public func releaseClaims(node: String) async throws {
        let logger = logger
        try await transaction { db in try await Self.release(db, node: node, logger) }
    }

    /// Makes `node`'s claimed events claimable again, and tells the nodes so.
    static func release(_ db: PostgresConnection, node: String, _ logger: Logger) async throws {
        try await db.query("UPDATE events SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = \(node)", logger: logger)
        try await notify(db, "events", logger)
    }

    public func completeEvent(id: Int64) async throws {
        _ = try await rows("DELETE FROM events WHERE id = \(id)")
    }

    public func failEvent(id: Int64, error: String, retryAt: Date?) async throws {
        _ = try await rows("""
            UPDATE events SET attempts = attempts + 1, last_error = \(error), dead = \(retryAt == nil),
                not_before = COALESCE(\(retryAt?.timeIntervalSince1970), not_before), claimed_by = NULL, lease_until = NULL
            WHERE id = \(id)
            """)
    }

    public func postponeEvent(id: Int64, until: Date, reason: String) async throws {
        _ = try await rows("""
            UPDATE events SET last_error = \(reason), not_before = \(until.timeIntervalSince1970), claimed_by = NULL, lease_until = NULL
            WHERE id = \(id)
            """)
    }

    public func deadLetters(app: String?, limit: Int) async throws -> [EventRecord] {
        try await rows("""
            SELECT \(unescaped: Self.eventColumns) FROM events
            WHERE dead = TRUE AND (\(app)::text IS NULL OR app = \(app)) ORDER BY id LIMIT \(limit)
            """).map(Self.event)
    }

    public func replayDeadLetter(id: Int64) async throws -> Bool {
        let logger = logger
        return try await transaction { db in
            let replayed = try await db.query("""
                UPDATE events SET dead = FALSE, attempts = 0, not_before = \(Date().timeIntervalSince1970) WHERE id = \(id) AND dead = TRUE RETURNING 1
                """, logger: logger).collect()
            if !replayed.isEmpty { try await Self.notify(db, "events", logger) }
            return !replayed.isEmpty
        }
    }

    public func eventQueue(now: Date) async throws -> EventQueueStats {
        let time = now.timeIntervalSince1970
        let row = try await rows("""
            SELECT COUNT(*) FILTER (WHERE NOT dead), COUNT(*) FILTER (WHERE dead),
                   MIN(not_before) FILTER (WHERE NOT dead AND not_before <= \(time))
            FROM events
            """)[0]
        let (pending, dead, oldest) = try row.decode((Int, Int, Double?).self)
        return EventQueueStats(pending: pending, deadLetters: dead, lag: oldest.map { max(0, time - $0) } ?? 0)
    }

    static let eventColumns = "id, app, function, kind, key, op, payload, attempts, last_error, created_at, not_before, dead"

    static func event(_ row: PostgresRow) throws -> EventRecord { try eventState(row).event }

    /// A row of ``eventColumns``: the event, when it is due, and whether it is a dead letter.
    static func eventState(_ row: PostgresRow) throws -> (event: EventRecord, notBefore: Date, dead: Bool) {
        let (id, app, function, kind, key, op, payload, attempts, lastError, createdAt, notBefore, dead) =
            try row.decode((Int64, String, String, String, ByteBuffer?, String?, ByteBuffer, Int, String?, Double, Double, Bool).self)
        let event = EventRecord(id: id, app: app, function: function, kind: EventKind(rawValue: kind) ?? .async,
                                key: key.map { Array(buffer: $0) }, op: op, payload: Array(buffer: payload), attempts: attempts,
                                lastError: lastError, createdAt: Date(timeIntervalSince1970: createdAt))
        return (event, Date(timeIntervalSince1970: notBefore), dead)
    }

    // MARK: Schedules

    public func replaceSchedules(app: String, _ schedules: [ScheduleRecord]) async throws {
        let logger = logger
        try await transaction { db in
            let functions = schedules.map(\.function), expressions = schedules.map(\.expression)
            try await db.query("""
                DELETE FROM schedules WHERE app = \(app) AND (function, expression) NOT IN (
                    SELECT * FROM unnest(\(functions)::text[], \(expressions)::text[]))
                """, logger: logger)
            for schedule in schedules {
                try await db.query("""
                    INSERT INTO schedules (app, function, expression, next_run)
                    VALUES (\(app), \(schedule.function), \(schedule.expression), \(schedule.nextRun.timeIntervalSince1970))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await rows("SELECT app, function, expression, next_run FROM schedules ORDER BY next_run").map { row in
            let (app, function, expression, nextRun) = try row.decode((String, String, String, Double).self)
            return ScheduleRecord(app: app, function: function, expression: expression, nextRun: Date(timeIntervalSince1970: nextRun))
        }
    }

    public func fire(_ schedule: ScheduleRecord, nextRun: Date, placedOn: String?) async throws -> Bool {
        let logger = logger
        return try await transaction { db in
            let moved = try await db.query("""
                UPDATE schedules SET next_run = \(nextRun.timeIntervalSince1970)
                WHERE app = \(schedule.app) AND function = \(schedule.function) AND expression = \(schedule.expression)
                  AND next_run = \(schedule.nextRun.timeIntervalSince1970)
                RETURNING 1
                """, logger: logger).collect()
            guard !moved.isEmpty else { return false }
            try await Self.insertEvent(db, EventRecord(app: schedule.app, function: schedule.function, kind: .cron,
                                                       payload: Array(schedule.expression.utf8), createdAt: schedule.nextRun,
                                                       placedOn: placedOn),
                                  sequence: nil, logger)
            return true
        }
    }
}
