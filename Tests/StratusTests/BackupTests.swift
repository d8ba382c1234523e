import Foundation
import StratusBackup
import StratusEngine
import StratusModel
import StratusStore
import Testing

/// Backups of a store: the round trip keeps everything exactly, and an archive that is not
/// sound, or a store that is not empty, is refused with nothing written.
@Suite struct BackupTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory()
    }

    /// A store with two apps sharing a module, binary keys and values, pending and dead events
    /// (one KV event, so ordered by its key), and a schedule.
    func filledStore(_ name: String) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: dir.file(name))
        let sharedBytes: [UInt8] = [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0], otherBytes = [UInt8](repeating: 7, count: 70_000)
        let shared = ModuleBlob(sha256: WasmEngine.sha256(sharedBytes), bytes: sharedBytes)
        let other = ModuleBlob(sha256: WasmEngine.sha256(otherBytes), bytes: otherBytes)
        _ = try await store.deploy(AppRecord(name: "shop", manifest: "app: shop\n", files: ["a.wasm": shared.sha256, "b.wasm": other.sha256]),
                                   modules: [shared, other],
                                   routes: [RouteClaim(method: "GET", shape: "/shop/:", text: "GET /shop/:id")])
        _ = try await store.deploy(AppRecord(name: "blog", manifest: "app: blog\nversion: 2\n", files: ["a.wasm": shared.sha256]),
                                   modules: [shared], routes: [])
        _ = try await store.deploy(AppRecord(name: "blog", manifest: "app: blog\nversion: 3\n", files: ["a.wasm": shared.sha256]),
                                   modules: [shared], routes: [])
        for index in 0..<3000 {
            try store.set(app: "shop", key: Array("item/\(index)".utf8), value: Array(repeating: UInt8(index % 256), count: index % 50), events: [])
        }
        try store.set(app: "blog", key: [0xFF, 0x00, 0x0A], value: [0x00, 0x0A, 0xFF], events: [EventTarget(function: "watch")])
        let spawned = try store.enqueue(EventRecord(app: "shop", function: "mail", kind: .async, payload: Array("hi".utf8)))
        let dead = try store.enqueue(EventRecord(app: "shop", function: "bill", kind: .async, payload: []))
        try await store.failEvent(id: dead, error: "trap: unreachable", retryAt: nil)
        try await store.failEvent(id: spawned, error: "timeout", retryAt: Date(timeIntervalSince1970: 2_000_000_000))
        try await store.replaceSchedules(app: "shop", [ScheduleRecord(app: "shop", function: "tick", expression: "0 * * * * *",
                                                                     nextRun: Date(timeIntervalSince1970: 1_900_000_000.5))])
        return store
    }

    func contents(_ store: some StateTransfer) throws -> [StateItem] {
        var items: [StateItem] = []
        try store.exportState { items.append($0) }
        return items
    }

    @Test func aRestoredStoreHoldsExactlyWhatWasBackedUp() async throws {
        let source = try await filledStore("source.sqlite")
        let archive = dir.file("backup.tar.gz")
        let written = try Backup.write(from: source, to: archive)
        #expect(written.apps == 2 && written.modules == 2 && written.keys == 3001 && written.events == 3 && written.schedules == 1)
        #expect(!FileManager.default.fileExists(atPath: archive + ".partial"))

        let target = try SQLiteStore(path: dir.file("target.sqlite"))
        #expect(try target.isEmpty())
        let restored = try Backup.restore(archive, into: target)
        #expect(restored == written)
        #expect(try contents(target) == contents(source))
        #expect(try await target.app(named: "blog")?.version == 2)
        #expect(try await target.deadLetters(app: "shop", limit: 10).map(\.lastError) == ["trap: unreachable"])
        // The restored KV event still orders later writes to its key behind it.
        try target.set(app: "blog", key: [0xFF, 0x00, 0x0A], value: [1], events: [EventTarget(function: "watch")])
        let claimed = try await target.claimEvents(node: "n", now: Date(), lease: 60, limit: 10)
        #expect(claimed.filter { $0.function == "watch" }.map(\.payload) == [[0x00, 0x0A, 0xFF]])
    }

    @Test func standardTarListsTheArchive() async throws {
        let source = try await filledStore("source.sqlite")
        let archive = dir.file("backup.tar.gz")
        try Backup.write(from: source, to: archive)
        let listing = try run("/usr/bin/tar", ["-tzf", archive])
        let names = listing.split(separator: "\n").map(String.init)
        #expect(names.first == "stratus-backup.json")
        #expect(names.last == "stratus-backup-end.json")
        #expect(names.contains("modules/\(WasmEngine.sha256([UInt8](repeating: 7, count: 70_000))).wasm"))
        #expect(names.contains("kv/000001.jsonl") && names.contains("events/000001.jsonl") && names.contains("schedules/000001.jsonl"))
    }

    @Test func aDamagedArchiveIsRefusedAndTheStoreIsUntouched() async throws {
        let source = try await filledStore("source.sqlite")
        let archive = dir.file("backup.tar.gz")
        try Backup.write(from: source, to: archive)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: archive)))

        var damaged: [(String, [UInt8])] = [
            ("empty", []),
            ("not gzip", Array("hello, this is not a backup".utf8)),
            ("cut at the end", Array(bytes.dropLast(40))),
            ("cut in the middle", Array(bytes.prefix(bytes.count / 2))),
        ]
        // Short by part of the gzip trailer only: the content is all there, its check is not.
        for cut in 1...8 { damaged.append(("short by \(cut) bytes", Array(bytes.dropLast(cut)))) }
        damaged.append(("followed by more bytes", bytes + [0x1F, 0x8B, 0, 0]))
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x55
        damaged.append(("a byte changed", flipped))

        let target = try SQLiteStore(path: dir.file("target.sqlite"))
        for (what, content) in damaged {
            let path = dir.file("damaged.tar.gz")
            try Data(content).write(to: URL(fileURLWithPath: path))
            do {
                try Backup.restore(path, into: target)
                Issue.record("\(what): restored")
            } catch let error as StratusError {
                #expect(error.code == "bad_backup", "\(what): \(error)")
                #expect(error.message.contains("nothing was restored"))
            }
            #expect(try target.isEmpty(), "\(what)")
        }
    }

    /// An archive taken apart and put together again by standard tar, with one record edited
    /// or the format raised, no longer matches what its trailer says.
    @Test func anEditedArchiveIsRefused() async throws {
        let source = try await filledStore("source.sqlite")
        let archive = dir.file("backup.tar.gz")
        try Backup.write(from: source, to: archive)
        let unpacked = dir.file("unpacked")
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        _ = try run("/usr/bin/tar", ["-xzf", archive, "-C", unpacked])
        let order = try run("/usr/bin/tar", ["-tzf", archive]).split(separator: "\n").map(String.init)
        let target = try SQLiteStore(path: dir.file("target.sqlite"))

        func repack(_ edit: (String) throws -> Void) throws -> String {
            let copy = dir.file("copy-\(UUID().uuidString)")
            try FileManager.default.copyItem(atPath: unpacked, toPath: copy)
            try edit(copy)
            let path = copy + ".tar.gz"
            _ = try run("/usr/bin/tar", ["--format=ustar", "-czf", path, "-C", copy] + order)
            return path
        }

        let same = try repack { _ in }
        #expect(try Backup.verify(same) == Backup.verify(archive), "a faithful repack by standard tar is still a sound backup")

        let edited = try repack { copy in
            let path = (copy as NSString).appendingPathComponent("schedules/000001.jsonl")
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "tick", with: "tock")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect { try Backup.restore(edited, into: target) } throws: { ($0 as? StratusError)?.code == "bad_backup" }

        let newer = try repack { copy in
            let path = (copy as NSString).appendingPathComponent("stratus-backup.json")
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"format\":1", with: "\"format\":9")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect { try Backup.restore(newer, into: target) } throws: { error in
            let message = (error as? StratusError)?.message ?? ""
            return message.contains("format 9") && message.contains("newer Stratus")
        }
        #expect(try target.isEmpty())
    }

    @Test func aStoreThatHoldsAnythingIsNotRestoredInto() async throws {
        let source = try await filledStore("source.sqlite")
        let archive = dir.file("backup.tar.gz")
        try Backup.write(from: source, to: archive)
        let target = try SQLiteStore(path: dir.file("target.sqlite"))
        try target.set(app: "mine", key: Array("keep".utf8), value: Array("me".utf8), events: [])
        #expect { try Backup.restore(archive, into: target) } throws: { ($0 as? StratusError)?.code == "store_not_empty" }
        #expect(try contents(target) == [.kv(app: "mine", pair: KVPair(key: Array("keep".utf8), value: Array("me".utf8)))])
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("\(tool) \(arguments) failed") }
        return String(decoding: data, as: UTF8.self)
    }
}
