import Foundation
import Logging
import PostgresNIO
import StratusStore
import Testing

/// The store implementations the conformance suite runs against: SQLite in a temporary folder,
/// and PostgreSQL in a database of its own on the server `scripts/postgres.sh` starts
/// (`STRATUS_TEST_POSTGRES`, default postgres://stratus:stratus@127.0.0.1:5432/stratus_test).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var postgresURL: String {
        ProcessInfo.processInfo.environment["STRATUS_TEST_POSTGRES"] ?? "postgres://stratus:stratus@127.0.0.1:5432/stratus_test"
    }

    /// A new, empty store of this kind; `cleanup` removes what it made.
    func make(_ dir: TemporaryDirectory) async throws -> (store: any Store, cleanup: @Sendable () async -> Void) {
        switch self {
        case .sqlite:
            return (try SQLiteStore(path: dir.file("conformance-\(UUID().uuidString).sqlite")), {})
        case .postgres:
            let database = try await Self.freshDatabase()
            do {
                return (try await PostgresStore(url: database.url), database.drop)
            } catch {
                await database.drop()
                throw error
            }
        }
    }

    /// A new, empty database on the test server: its URL, and how to drop it.
    static func freshDatabase() async throws -> (url: String, drop: @Sendable () async -> Void) {
        let name = "stratus_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await admin("CREATE DATABASE \(name)")
        var components = URLComponents(string: postgresURL)!
        components.path = "/" + name
        return (components.string!, { try? await admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
    }

    /// Runs one statement on the test server's database.
    static func admin(_ sql: String) async throws {
        let components = URLComponents(string: postgresURL)!
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "stratus",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: Logger(label: "test-postgres"))
        } catch {
            throw TestFailure("no PostgreSQL server at \(postgresURL) (\(error)); start one with scripts/postgres.sh (scripts/test.sh does)")
        }
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test-postgres"))
    }
}

/// Runs blocking store calls on a thread of their own, as the server's workers make them: a
/// loop of them on the cooperative pool would hold its few threads and stall other tests.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
