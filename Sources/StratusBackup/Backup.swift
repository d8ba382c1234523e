import Crypto
import Foundation
import StratusModel
import StratusStore

/// How far a backup or restore has gone, for a progress line.
public struct BackupProgress: Sendable {
    /// Items (modules, apps, keys, events, schedules) so far.
    public var items: Int
    /// Compressed bytes written or read so far.
    public var bytes: Int
}

/// Backups of a whole store as one `.tar.gz` (see ``BackupFormat``): written from one
/// consistent moment of a store that keeps serving, and restored only into an empty store,
/// all or nothing, after the whole archive has been checked.
public enum Backup {
    /// Writes everything `store` holds to `path`. The archive appears at `path` only when
    /// complete and on disk; until then it is `path.partial`.
    @discardableResult
    public static func write(from store: some StateTransfer, to path: String,
                             progress: (BackupProgress) -> Void = { _ in }) throws -> BackupCounts {
        let partial = path + ".partial"
        do {
            let writer = try BackupWriter(path: partial)
            try store.exportState { item in
                try writer.add(item)
                if writer.counts.total % 1024 == 0 { progress(writer.progress) }
            }
            try writer.finish()
            progress(writer.progress)
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            return writer.counts
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Checks the whole archive (format, every entry's checksum, every record) without restoring.
    @discardableResult
    public static func verify(_ path: String, progress: (BackupProgress) -> Void = { _ in }) throws -> BackupCounts {
        try BackupReader.read(path, progress: progress) { _ in }
    }

    /// Checks the archive, then writes its content into `store` in one transaction. Throws
    /// `bad_backup` for an archive that is not sound and `store_not_empty` for a store that
    /// holds anything; either way the store is as it was.
    @discardableResult
    public static func restore(_ path: String, into store: some StateTransfer,
                               progress: (BackupProgress) -> Void = { _ in }) throws -> BackupCounts {
        guard try store.isEmpty() else { throw StratusError.storeNotEmpty }
        try verify(path)
        var counts = BackupCounts()
        try store.importState { add in
            counts = try BackupReader.read(path, progress: progress, visit: add)
        }
        return counts
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

/// Streams items into an archive: modules as entries, the rest as numbered JSON-lines files.
final class BackupWriter {
    private let gzip: GzipFileWriter
    private let tar: TarWriter
    private let started = Date()
    private(set) var counts = BackupCounts()
    private var entries: [String: String] = [:]
    private var lines: [UInt8] = []
    private var linesKind: String?
    private var chunks: [String: Int] = [:]

    init(path: String) throws {
        gzip = try GzipFileWriter(path: path)
        tar = TarWriter(gzip: gzip)
        let header = BackupHeader(format: BackupFormat.version, createdAt: started, writer: "stratus")
        try tar.add(BackupFormat.headerName, Array(try BackupFormat.encoder.encode(header)), modified: started)
    }

    var progress: BackupProgress { BackupProgress(items: counts.total, bytes: gzip.bytesWritten) }

    func add(_ item: StateItem) throws {
        counts.count(item)
        if case .module(let module) = item {
            try entry("modules/\(module.sha256).wasm", module.bytes)
            return
        }
        let kind = BackupRecord.kind(of: item)
        if kind != linesKind { try flushLines() }
        linesKind = kind
        lines += try BackupRecord.line(for: item)!
        if lines.count >= BackupFormat.chunkBytes { try flushLines() }
    }

    func finish() throws {
        try flushLines()
        let trailer = BackupTrailer(entries: entries, counts: counts)
        try tar.add(BackupFormat.trailerName, Array(try BackupFormat.encoder.encode(trailer)), modified: started)
        try tar.finish()
    }

    private func flushLines() throws {
        guard let kind = linesKind, !lines.isEmpty else { return }
        let number = chunks[kind, default: 0] + 1
        chunks[kind] = number
        try entry("\(kind)/\(String(format: "%06d", number)).jsonl", lines)
        lines.removeAll(keepingCapacity: true)
    }

    private func entry(_ name: String, _ bytes: [UInt8]) throws {
        entries[name] = Backup.sha256(bytes)
        try tar.add(name, bytes, modified: started)
    }
}

extension BackupCounts {
    var total: Int { modules + apps + keys + events + schedules }
}
