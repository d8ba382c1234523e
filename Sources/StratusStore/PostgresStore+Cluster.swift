import Foundation
import Logging
import PostgresNIO

extension PostgresStore: ClusterStore {
    /// The channel deploys, deletes and event writes notify on; the payload says which.
    static let channel = "stratus"

    public func heartbeat(_ node: NodeRecord, leaseUntil: Date) async throws {
        let logger = logger
        try await transaction { db in
            try await db.query("""
                INSERT INTO nodes (name, address, tags, weight, load, started_at, heartbeat_at)
                VALUES (\(node.name), \(node.address), \(node.tags.joined(separator: ",")), \(node.weight), \(node.load),
                        \(node.startedAt.timeIntervalSince1970), \(node.heartbeatAt.timeIntervalSince1970))
                ON CONFLICT (name) DO UPDATE SET address = excluded.address, tags = excluded.tags, weight = excluded.weight,
                    load = excluded.load, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at
                """, logger: logger)
            try await db.query("UPDATE events SET lease_until = \(leaseUntil.timeIntervalSince1970) WHERE claimed_by = \(node.name)",
                               logger: logger)
        }
    }

    public func nodes(since: Date) async throws -> [NodeRecord] {
        try await rows("""
            SELECT name, address, tags, weight, load, started_at, heartbeat_at FROM nodes
            WHERE heartbeat_at >= \(since.timeIntervalSince1970) ORDER BY name
            """).map { row in
            let (name, address, tags, weight, load, startedAt, heartbeatAt) = try row.decode((String, String, String, Double, Int, Double, Double).self)
            return NodeRecord(name: name, address: address, tags: tags.split(separator: ",").map(String.init), weight: weight, load: load,
                              startedAt: Date(timeIntervalSince1970: startedAt), heartbeatAt: Date(timeIntervalSince1970: heartbeatAt))
        }
    }

    public func clusterSecret() async throws -> String {
        let candidate = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        let logger = logger
        return try await transaction { db in
            try await db.query("""
                INSERT INTO cluster_settings (name, value) VALUES ('secret', \(candidate)) ON CONFLICT (name) DO NOTHING
                """, logger: logger)
            return try await db.query("SELECT value FROM cluster_settings WHERE name = 'secret'", logger: logger)
                .collect()[0].decode(String.self)
        }
    }

    public func removeNode(named name: String) async throws {
        let logger = logger
        try await transaction { db in
            try await db.query("DELETE FROM nodes WHERE name = \(name)", logger: logger)
            try await Self.release(db, node: name, logger)
        }
    }

    /// Listens on a connection of its own; when it drops, connects again (every second until
    /// the server answers) and says `resync`, since notifications sent meanwhile are lost.
    public func changes() -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: StoreChange.self, bufferingPolicy: .bufferingNewest(1024))
        let configuration = connectionConfiguration, logger = logger, location = location
        let listening = Task(executorPreference: BlockingBridge.shared) {
            var outage = false
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                    defer { Task { try? await connection.close() } }
                    try await connection.listen(on: Self.channel) { notifications in
                        if outage { logger.notice("the PostgreSQL store at \(location) answers again") }
                        outage = false
                        continuation.yield(.resync)
                        for try await notification in notifications {
                            continuation.yield(Self.change(notification.payload))
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    if !outage { logger.error("lost the PostgreSQL store at \(location) (\(error)); reconnecting every second") }
                    outage = true
                }
                try? await Task.sleep(for: .seconds(1))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in listening.cancel() }
        return stream
    }

    static func change(_ payload: String) -> StoreChange {
        if payload.hasPrefix("app:") { return .app(String(payload.dropFirst(4))) }
        return payload == "resync" ? .resync : .events
    }

    static func notify(_ db: PostgresConnection, _ payload: String, _ logger: Logger) async throws {
        // Sent at commit, once per distinct payload in the transaction.
        try await db.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
    }
}
