import Foundation
import StratusStore

/// Reads an archive from start to end, checking as it goes: the header's format, each entry
/// against the trailer's checksums, each module against its name, each record's JSON, and
/// that nothing is missing or follows the trailer.
enum BackupReader {
    static func read(_ path: String, progress: (BackupProgress) -> Void, visit: (StateItem) throws -> Void) throws -> BackupCounts {
        let gzip = try GzipFileReader(path: path)
        var tar = TarReader(gzip: gzip)
        guard let first = try tar.next(), first.name == BackupFormat.headerName else {
            throw BackupError.corrupt("it does not begin with \(BackupFormat.headerName) (is it a Stratus backup?)")
        }
        let header = try decode(BackupHeader.self, try tar.content(size: first.size), entry: first.name)
        guard header.format == BackupFormat.version else {
            throw BackupError.corrupt("it has format \(header.format) and this Stratus reads format \(BackupFormat.version)"
                                      + (header.format > BackupFormat.version ? "; restore it with a newer Stratus" : ""))
        }
        var counts = BackupCounts()
        var seen: [String: String] = [:]
        while let entry = try tar.next() {
            let bytes = try tar.content(size: entry.size)
            if entry.name == BackupFormat.trailerName {
                let trailer = try decode(BackupTrailer.self, bytes, entry: entry.name)
                guard trailer.entries == seen else {
                    let missing = Set(trailer.entries.keys).symmetricDifference(seen.keys).sorted().prefix(3)
                    throw BackupError.corrupt("its entries differ from its list (\(missing.joined(separator: ", ")))")
                }
                guard trailer.counts == counts else { throw BackupError.corrupt("its records differ from its counts") }
                guard try tar.next() == nil else { throw BackupError.corrupt("something follows its last entry") }
                try gzip.finish()
                progress(BackupProgress(items: counts.total, bytes: gzip.bytesRead))
                return counts
            }
            seen[entry.name] = Backup.sha256(bytes)
            for item in try items(in: entry.name, bytes) {
                counts.count(item)
                try visit(item)
            }
            progress(BackupProgress(items: counts.total, bytes: gzip.bytesRead))
        }
        throw BackupError.truncated
    }

    private static func items(in name: String, _ bytes: [UInt8]) throws -> [StateItem] {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw BackupError.corrupt("it holds an unexpected entry `\(name)`") }
        if parts[0] == "modules" {
            let hash = String(parts[1].dropLast(".wasm".count))
            guard parts[1].hasSuffix(".wasm"), Backup.sha256(bytes) == hash else {
                throw BackupError.corrupt("module \(name) does not match its hash")
            }
            return [.module(ModuleBlob(sha256: hash, bytes: bytes))]
        }
        var items: [StateItem] = []
        for line in bytes.split(separator: 0x0A) {
            do {
                items.append(try BackupRecord.item(kind: parts[0], line: line))
            } catch let error as DecodingError {
                throw BackupError.corrupt("a record of \(name) is not valid (\(error))")
            }
        }
        return items
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], entry: String) throws -> T {
        do {
            return try BackupFormat.decoder.decode(type, from: Data(bytes))
        } catch {
            throw BackupError.corrupt("\(entry) is not valid (\(error))")
        }
    }
}
