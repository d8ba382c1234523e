import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Large transfers (backups) that stream through files instead of memory.
extension AdminClient {
    /// GETs `path` into `file`, which appears only when the whole answer has arrived.
    func download(_ path: String, to file: String, progress: ProgressLine) async throws {
        let partial = file + ".partial"
        do {
            let response = try await Self.http(trusting: trustedCertificate).execute(makeRequest(.GET, path), timeout: .hours(24))
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: 1 << 20)
                throw Self.error(from: Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body)))
            }
            let total = response.headers.first(name: "Content-Length").flatMap { Int($0) }
            guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial) else {
                throw CLIError("cannot write \(partial); check that the folder exists and is writable")
            }
            defer { try? handle.close() }
            var received = 0
            for try await chunk in response.body {
                try handle.write(contentsOf: Data(chunk.readableBytesView))
                received += chunk.readableBytes
                progress.update(bytes: received, of: total)
            }
            guard total == nil || received == total else {
                throw CLIError("the server sent \(received) of \(total!) bytes; the backup is incomplete, try again")
            }
            try handle.synchronize()
            progress.finish()
            if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
            try FileManager.default.moveItem(atPath: partial, toPath: file)
        } catch let error as CLIError {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw unreachable(error)
        }
    }

    /// POSTs the content of `file` to `path`, streamed, and requires a 2xx answer.
    func upload(_ path: String, file: String, progress: ProgressLine) async throws -> Reply {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw CLIError("cannot read \(file); check the path") }
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        var request = makeRequest(.POST, path)
        request.headers.add(name: "Content-Type", value: "application/gzip")
        request.body = .stream(FileChunks(handle: handle, size: size, progress: progress), length: .known(Int64(size)))
        let reply: Reply
        do {
            let response = try await Self.http(trusting: trustedCertificate).execute(request, timeout: .hours(24))
            let body = try await response.body.collect(upTo: 1 << 20)
            reply = Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
        } catch {
            throw unreachable(error)
        }
        progress.finish()
        guard (200..<300).contains(reply.status) else { throw Self.error(from: reply) }
        return reply
    }
}

/// A file's content as 1 MiB buffers, reporting how much has gone.
private struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle
    let size: Int
    let progress: ProgressLine

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: FileChunks
        var sent = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try chunks.handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            sent += data.count
            chunks.progress.update(bytes: sent, of: chunks.size)
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: self) }
}
