import Crypto
import Foundation

/// Compiled code kept on disk: the code's SHA-256, then the code. Loading machine code runs it,
/// so an entry whose hash does not match (cut short, changed) is not loaded but compiled again.
enum CompiledCodeFile {
    static func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path), data.count > 32 else { return nil }
        let code = data.dropFirst(32)
        guard Array(data.prefix(32)) == Array(SHA256.hash(data: code)) else { return nil }
        return Array(code)
    }

    /// Writes atomically (a temporary file, then a rename), so a reader never sees half of it.
    static func write(_ code: UnsafeRawBufferPointer, to path: String) {
        var data = Data(SHA256.hash(data: code))
        data.append(contentsOf: code)
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }
}
