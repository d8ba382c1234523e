import CompressNIO
import Foundation
import NIOCore
import StratusModel

/// Writes a gzip stream to a file as data comes, in constant memory.
final class GzipFileWriter {
    private let file: FileHandle
    private let compressor: ZlibCompressor
    private var output = ByteBuffer()
    /// Compressed bytes written so far.
    private(set) var bytesWritten = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw BackupError.io("cannot create \(path); check that its folder exists and is writable")
        }
        self.file = file
        // Level 1: a backup runs while the server serves, and speed matters more than a few percent.
        compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: .fastestCompression))
    }

    func write(_ bytes: [UInt8]) throws {
        var input = ByteBuffer(bytes: bytes)
        while input.readableBytes > 0 {
            try deflate(&input, flush: .no)
        }
    }

    /// Ends the gzip stream and makes the file durable.
    func finish() throws {
        var input = ByteBuffer()
        try deflate(&input, flush: .finish)
        try file.synchronize()
        try file.close()
    }

    /// One deflate step into a 256 KiB window, which goes to the file whether or not it filled.
    private func deflate(_ input: inout ByteBuffer, flush: CompressNIOFlush) throws {
        var more = true
        while more {
            output.clear(minimumCapacity: 1 << 18)
            do {
                try compressor.deflate(from: &input, to: &output, flush: flush)
                more = false
            } catch let error as CompressNIOError where error == .bufferOverflow {
                more = flush == .finish || input.readableBytes > 0
            }
            if output.readableBytes > 0 {
                try file.write(contentsOf: Data(output.readableBytesView))
                bytesWritten += output.readableBytes
            }
            if flush == .no { return }
        }
    }
}

/// Reads a gzip file's content in order, exactly as many bytes as asked for, and checks at the
/// end that the stream ended as written: the gzip trailer present and matching what was read.
final class GzipFileReader {
    private let file: FileHandle
    private let decompressor: ZlibDecompressor
    private var input = ByteBuffer()
    private var output = ByteBuffer()
    private var atEndOfFile = false
    /// Compressed bytes read from the file so far.
    private(set) var bytesRead = 0
    /// Of everything decompressed: its CRC-32 and size, which the trailer must repeat.
    private var crc = CRC32()
    private var decompressed = 0
    /// The file's last 8 bytes read so far: at the end, the trailer.
    private var tail: [UInt8] = []

    init(path: String) throws {
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw BackupError.io("cannot open \(path); check the path and its permissions")
        }
        self.file = file
        decompressor = try ZlibDecompressor(algorithm: .gzip)
    }

    deinit { try? file.close() }

    /// The next `count` bytes; throws `truncated` if the stream ends first. Memory grows with
    /// what arrives, never with what `count` claims.
    func read(_ count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(min(count, 1 << 20))
        while result.count < count {
            if output.readableBytes == 0 { try refill() }
            let take = min(count - result.count, output.readableBytes)
            result += output.readBytes(length: take)!
        }
        return result
    }

    /// Reads to the end of the file: what is left of the content must be zeros (an archive's
    /// end blocks), and the gzip trailer must be there, matching the content's CRC-32 and size
    /// (an archive cut short by a few bytes otherwise loses only its trailer, unnoticed).
    func finish() throws {
        while true {
            guard output.readableBytesView.allSatisfy({ $0 == 0 }) else { throw BackupError.corrupt("something follows its end") }
            output.moveReaderIndex(forwardBy: output.readableBytes)
            do {
                try refill()
            } catch let error as StratusError where error == BackupError.truncated {
                break
            }
        }
        guard input.readableBytes == 0 else { throw BackupError.corrupt("something follows its gzip stream") }
        let expected = Self.littleEndian(crc.value) + Self.littleEndian(UInt32(truncatingIfNeeded: decompressed))
        guard atEndOfFile, tail == expected else { throw BackupError.truncated }
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private func refill() throws {
        while true {
            if input.readableBytes == 0 && !atEndOfFile {
                let chunk = try file.read(upToCount: 1 << 18) ?? Data()
                atEndOfFile = chunk.isEmpty
                bytesRead += chunk.count
                tail = Array((tail + chunk.suffix(8)).suffix(8))
                input = ByteBuffer(bytes: chunk)
            }
            output.clear(minimumCapacity: 1 << 18)
            let before = input.readableBytes
            do {
                try decompressor.inflate(from: &input, to: &output)
            } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                // Progress: a full window, or input used up.
            } catch let error as CompressNIOError where error == .corruptData {
                throw BackupError.corrupt("the gzip data is corrupt")
            }
            if output.readableBytes > 0 {
                output.withUnsafeReadableBytes { crc.update($0) }
                decompressed += output.readableBytes
                return
            }
            // Nothing came out and nothing went in: the stream (or the file) has ended.
            if input.readableBytes == before && (atEndOfFile || before > 0) { throw BackupError.truncated }
        }
    }
}
