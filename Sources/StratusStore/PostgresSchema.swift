import Logging
import PostgresNIO

/// The PostgreSQL schema, versioned: each step runs once, in order, under an advisory lock, so
/// nodes starting together do not race.
enum PostgresSchema {
    static let steps: [String] = [
        """
        CREATE TABLE modules (sha256 TEXT PRIMARY KEY, bytes BYTEA NOT NULL, created_at DOUBLE PRECISION NOT NULL);
        CREATE TABLE apps (name TEXT PRIMARY KEY, version INTEGER NOT NULL, manifest TEXT NOT NULL, modules TEXT NOT NULL,
                           deployed_at DOUBLE PRECISION NOT NULL);
        CREATE TABLE routes (method TEXT NOT NULL, shape TEXT NOT NULL, route TEXT NOT NULL,
                             app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE, PRIMARY KEY (method, shape));
        CREATE TABLE kv (app TEXT NOT NULL, key BYTEA NOT NULL, value BYTEA NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
                         PRIMARY KEY (app, key));
        CREATE TABLE events (id BIGSERIAL PRIMARY KEY, app TEXT NOT NULL, function TEXT NOT NULL, kind TEXT NOT NULL, key BYTEA,
                             op TEXT, payload BYTEA NOT NULL, sequence BYTEA, attempts INTEGER NOT NULL DEFAULT 0,
                             not_before DOUBLE PRECISION NOT NULL, dead BOOLEAN NOT NULL DEFAULT FALSE, last_error TEXT,
                             created_at DOUBLE PRECISION NOT NULL, claimed_by TEXT, lease_until DOUBLE PRECISION);
        CREATE INDEX events_due ON events (dead, not_before, id);
        CREATE INDEX events_sequence ON events (sequence, id) WHERE sequence IS NOT NULL;
        CREATE TABLE schedules (app TEXT NOT NULL, function TEXT NOT NULL, expression TEXT NOT NULL,
                                next_run DOUBLE PRECISION NOT NULL, PRIMARY KEY (app, function, expression));
        """,
        """
        CREATE TABLE nodes (name TEXT PRIMARY KEY, address TEXT NOT NULL, tags TEXT NOT NULL, weight DOUBLE PRECISION NOT NULL,
                            load INTEGER NOT NULL, started_at DOUBLE PRECISION NOT NULL, heartbeat_at DOUBLE PRECISION NOT NULL);
        CREATE INDEX events_claimed_by ON events (claimed_by) WHERE claimed_by IS NOT NULL;
        """,
        """
        ALTER TABLE events ADD COLUMN placed_on TEXT;
        CREATE TABLE cluster_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ]

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { db in
            try await db.query("SELECT pg_advisory_xact_lock(7231001)", logger: logger)
            try await db.query("CREATE TABLE IF NOT EXISTS stratus_schema (version INTEGER NOT NULL)", logger: logger)
            var version = 0
            for try await value in try await db.query("SELECT version FROM stratus_schema", logger: logger).decode(Int.self) {
                version = value
            }
            guard version < steps.count else { return }
            for step in steps[version...] {
                // One statement a query: the extended protocol takes no more.
                for statement in step.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                    try await db.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
                }
            }
            try await db.query("DELETE FROM stratus_schema", logger: logger)
            try await db.query("INSERT INTO stratus_schema (version) VALUES (\(steps.count))", logger: logger)
        }
    }
}
