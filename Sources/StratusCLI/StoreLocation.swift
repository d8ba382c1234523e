import Foundation
import StratusStore

/// Where a server's state lives: the store URL given, else the SQLite file in the data folder.
enum StoreLocation {
    static func open(url: String?, dataDirectory: String) throws -> SQLiteStore {
        switch url {
        case .some(let url) where url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"):
            throw CLIError("PostgreSQL stores come with cluster mode, which is not available yet; leave --store out to use SQLite")
        case .some(let path):
            return try SQLiteStore(path: path)
        case .none:
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            return try SQLiteStore(path: (dataDirectory as NSString).appendingPathComponent("stratus.sqlite"))
        }
    }
}
