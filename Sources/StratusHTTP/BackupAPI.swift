import Foundation
import HTTPTypes
import Hummingbird
import StratusBackup
import StratusModel
import StratusRuntime

/// `GET /_stratus/backup` and `POST /_stratus/restore`: a whole platform as one `.tar.gz`.
struct BackupAPI: Sendable {
    let platform: Platform
    let settings: HTTPSettings

    /// Writes the archive from one consistent moment of the store (requests go on meanwhile)
    /// to a temporary file, then sends it with its length, so the client can show progress.
    func backup() async throws -> Response {
        let path = Self.temporaryPath("backup")
        let store = platform.store
        let counts = try await OffLoop.run { try Backup.write(from: store, to: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Self.unusable(path) }
        // The open handle keeps the content; no file is left behind whatever the client does.
        unlink(path)
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        return Response(
            status: .ok,
            headers: [.contentType: "application/gzip", .contentDisposition: "attachment; filename=\"stratus-\(stamp).tar.gz\"",
                      HTTPField.Name("Stratus-Backup-Counts")!: counts.summary],
            body: ResponseBody(contentLength: size) { writer in
                defer { try? handle.close() }
                while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }

    /// Takes the archive into a temporary file, checks all of it, and writes it into the store
    /// in one transaction, only if the store is empty; then serves what it holds.
    func restore(_ request: Request) async throws -> Response {
        let path = Self.temporaryPath("restore")
        defer { unlink(path) }
        try await receive(request, into: path)
        let store = platform.store
        let counts = try await OffLoop.run { try Backup.restore(path, into: store) }
        try await platform.resumeAfterRestore()
        platform.logger.notice("restored a backup: \(counts.summary)")
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try AdminJSON.encoder.encode(RestoreReply(restored: counts)))))
    }

    private func receive(_ request: Request, into path: String) async throws {
        let limit = settings.restoreLimit
        let tooLarge = StratusError(.tooLarge, code: "body_too_large",
                                    "the archive is larger than the server's restore limit of \(limit) bytes; raise it with --max-restore-mb")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw Self.unusable(path)
        }
        defer { try? file.close() }
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            guard received <= limit else { throw tooLarge }
            try file.write(contentsOf: Data(chunk.readableBytesView))
        }
    }

    private static func temporaryPath(_ kind: String) -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("stratus-\(kind)-\(UUID().uuidString).tar.gz")
    }
}

struct RestoreReply: Encodable {
    var restored: BackupCounts
}

extension BackupAPI {
    static func unusable(_ path: String) -> StratusError {
        StratusError(.internalFailure, code: "backup_io", "cannot use the temporary file \(path); check the server's temporary folder (TMPDIR)")
    }
}
