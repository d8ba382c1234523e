import Foundation
import StratusStore

/// Where a server's state lives: the PostgreSQL database or SQLite file at the store URL given,
/// else the SQLite file in the data folder.
enum StoreLocation {
    static func open(url: String?, dataDirectory: String) async throws -> any Store {
        switch url {
        case .some(let url) where url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"):
            return try await PostgresStore(url: url)
        case .some(let path):
            return try SQLiteStore(path: path)
        case .none:
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            return try SQLiteStore(path: (dataDirectory as NSString).appendingPathComponent("stratus.sqlite"))
        }
    }
}
