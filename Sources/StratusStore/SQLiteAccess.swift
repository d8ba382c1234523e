import Foundation
import GRDB
import StratusModel

/// The store's database as its methods reach it. Every access first checks that the file at
/// the path is still the one opened: a database deleted or replaced under a running server
/// would otherwise go on acknowledging writes into a file that no restart finds. A failure of
/// SQLite's own (locked, full disk, I/O) becomes `store_unavailable` with a plain message; SQL
/// text stays out of answers.
struct SQLiteAccess: Sendable {
    let pool: DatabasePool
    let path: String
    private let identity: FileIdentity

    init(pool: DatabasePool, path: String) throws {
        self.pool = pool
        self.path = path
        guard let identity = FileIdentity(path) else {
            throw StratusError(.unavailable, code: "store_unavailable", "the database at \(path) was not found after opening it")
        }
        self.identity = identity
    }

    /// Why the store cannot be used now, or nil.
    var problem: StratusError? {
        guard FileIdentity(path) == identity else {
            return StratusError(.unavailable, code: "store_unavailable",
                                "the store's database file was deleted or replaced while the server ran, so nothing more is written to it; stop the server, put the file back or restore a backup, and start it again")
        }
        return nil
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded { try pool.read(body) }
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try checked()
        do { return try await pool.read(body) } catch let error as DatabaseError { throw Self.unavailable(error) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded { try pool.write(body) }
    }

    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try checked()
        do { return try await pool.write(body) } catch let error as DatabaseError { throw Self.unavailable(error) }
    }

    private func checked() throws {
        if let problem { throw problem }
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        try checked()
        do { return try body() } catch let error as DatabaseError { throw Self.unavailable(error) }
    }

    /// A SQLite failure as a client hears of it: what happened and what to do, no SQL.
    static func unavailable(_ error: DatabaseError) -> StratusError {
        let why = switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: "another process holds the database locked; stop whatever else opened it, then retry"
        case .SQLITE_FULL: "the disk that holds the database is full; free space, then retry"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: "the database file or its folder cannot be written; check their permissions"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: "the database file is damaged; restore a backup"
        default: "SQLite failed with code \(error.resultCode.rawValue); see the server's log and retry"
        }
        return StratusError(.unavailable, code: "store_unavailable", "the store is unavailable: \(why)")
    }
}

/// A file as the kernel knows it: the same path may name another file after a delete and create.
private struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
