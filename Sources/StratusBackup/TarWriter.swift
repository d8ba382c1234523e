import Foundation

/// Writes a POSIX ustar archive of regular files into a gzip stream, so `tar -tzf` lists a backup.
struct TarWriter {
    static let blockSize = 512
    let gzip: GzipFileWriter

    func add(_ name: String, _ bytes: [UInt8], modified: Date) throws {
        guard bytes.count <= BackupFormat.maxEntryBytes else {
            throw BackupError.io("\(name) holds \(bytes.count) bytes, more than an archive entry may (\(BackupFormat.maxEntryBytes >> 20) MiB)")
        }
        try gzip.write(Self.header(name: name, size: bytes.count, modified: modified))
        try gzip.write(bytes)
        let padding = (Self.blockSize - bytes.count % Self.blockSize) % Self.blockSize
        if padding > 0 { try gzip.write([UInt8](repeating: 0, count: padding)) }
    }

    /// The end of the archive: two zero blocks.
    func finish() throws {
        try gzip.write([UInt8](repeating: 0, count: 2 * Self.blockSize))
        try gzip.finish()
    }

    static func header(name: String, size: Int, modified: Date) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        precondition(name.utf8.count < 100, "archive entry names are short")
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(Int(modified.timeIntervalSince1970), width: 12), at: 136)
        put("        ", at: 148)  // the checksum counts its own field as spaces
        block[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        put("stratus", at: 265)
        put("stratus", at: 297)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7), at: 148)
        block[155] = UInt8(ascii: " ")
        return block
    }
}

/// Reads the regular files of a ustar archive from a gzip stream, in order.
struct TarReader {
    let gzip: GzipFileReader

    /// The next file's name and size, or nil at the end of the archive.
    mutating func next() throws -> (name: String, size: Int)? {
        let block = try gzip.read(TarWriter.blockSize)
        if block.allSatisfy({ $0 == 0 }) { return nil }
        var sum = 0
        for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 0x20 : Int(byte) }
        guard let stored = Self.octal(block[148..<156]), stored == sum else {
            throw BackupError.corrupt("an archive header's checksum does not match")
        }
        guard let size = Self.octal(block[124..<136]), size >= 0, block[156] == UInt8(ascii: "0") || block[156] == 0 else {
            throw BackupError.corrupt("the archive holds something other than plain files")
        }
        let name = String(decoding: block[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        guard size <= BackupFormat.maxEntryBytes else {
            throw BackupError.corrupt("its entry \(name) claims \(size) bytes, more than an entry may hold (\(BackupFormat.maxEntryBytes >> 20) MiB)")
        }
        return (name, size)
    }

    /// The content of the file `next()` announced, padding skipped.
    mutating func content(size: Int) throws -> [UInt8] {
        let bytes = try gzip.read(size)
        let padding = (TarWriter.blockSize - size % TarWriter.blockSize) % TarWriter.blockSize
        if padding > 0 { _ = try gzip.read(padding) }
        return bytes
    }

    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let text = String(decoding: field.drop { $0 == 0x20 }.prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        return text.isEmpty ? nil : Int(text, radix: 8)
    }
}
