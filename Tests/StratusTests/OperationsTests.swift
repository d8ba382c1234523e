import Foundation
import StratusHTTP
import Synchronization
import Testing

/// What an operator relies on, against real `stratus serve` processes: a backup taken under
/// load restores to a consistent state, `kill -9` loses no acknowledged write, and export and
/// import move a store between data folders.
@Suite(.serialized) struct OperationsTests {
    static let token = "ops-token"
    static let env = ["STRATUS_TOKEN": token]

    /// Writes `PREFIX1`, `PREFIX2`, ... one after another until stopped; `acknowledged` is how
    /// many the server confirmed.
    final class SequentialWriter: Sendable {
        let acknowledged = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)

        func run(_ url: String, app: String, prefix: String) async throws {
            var next = 1
            while !stopped.load(ordering: .relaxed) {
                let reply = try await TestServer.request(.PUT, "\(url)/_stratus/apps/\(app)/kv/\(prefix)\(next)", body: Array("v\(next)".utf8),
                                                         headers: [("Authorization", "Bearer \(OperationsTests.token)")])
                guard reply.status == 204 else { throw TestFailure("write \(next) answered \(reply.status): \(reply.text)") }
                acknowledged.store(next, ordering: .relaxed)
                next += 1
            }
        }
    }

    /// Every key under `prefix` with its value, paging through the admin API.
    static func keys(_ url: String, app: String, prefix: String) async throws -> [String: String] {
        var found: [String: String] = [:]
        var after: String?
        repeat {
            let query = "prefix=\(prefix)&limit=10000" + (after.map { "&after=\($0)" } ?? "")
            let reply = try await TestServer.request(.GET, "\(url)/_stratus/apps/\(app)/kv?\(query)", headers: [("Authorization", "Bearer \(token)")])
            let list = try JSONDecoder().decode(KVList.self, from: Data(reply.body))
            for item in list.items { found[item.key] = item.value }
            after = list.next
        } while after != nil
        return found
    }

    @Test func aBackupTakenUnderLoadRestoresAConsistentState() async throws {
        let source = try TemporaryDirectory(), target = try TemporaryDirectory()
        let archive = source.file("backup.tar.gz")
        let sample = try Repository.sample("wordcount", module: "count.wasm")
        let (text, words) = CrashRecoveryTests.corpus(bytes: 2 << 20)

        let first = try StratusProcess.Server(data: source.file("data"), extra: ["--deploy", sample], environment: Self.env)
        defer { first.stop() }
        let writer = SequentialWriter()
        let writing = Task { try await writer.run(first.url, app: "wordcount", prefix: "load/") }
        let posted = try await TestServer.request(.POST, first.url + "/wordcount", body: text)
        #expect(posted.status == 200, "\(posted.text)")
        while writer.acknowledged.load(ordering: .relaxed) < 20 { try await Task.sleep(for: .milliseconds(10)) }
        // Slices are being counted and keys written while the backup is taken.
        let before = writer.acknowledged.load(ordering: .relaxed)
        let backup = try StratusProcess.run(["backup", archive, "--server", first.url, "--token", Self.token])
        let after = writer.acknowledged.load(ordering: .relaxed)
        writer.stopped.store(true, ordering: .relaxed)
        try await writing.value
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("wrote \(archive)"), "\(backup.stdout)")
        first.stop()

        let second = try StratusProcess.Server(data: target.file("data"), environment: Self.env)
        defer { second.stop() }
        let restore = try StratusProcess.run(["restore", archive, "--server", second.url, "--token", Self.token])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.stdout.hasPrefix("restored 1 app"), "\(restore.stdout)")

        // One moment of the store: the writes it holds are exactly the first m, with m no
        // fewer than were acknowledged before the backup began and no more than after it (and
        // the one write that may have been committed while its acknowledgement was on its way).
        let restored = try await Self.keys(second.url, app: "wordcount", prefix: "load/")
        let m = restored.count
        #expect(m >= before && m <= after + 1, "\(m) writes restored; \(before) acknowledged before the backup, \(after) after")
        #expect(restored == Dictionary(uniqueKeysWithValues: (0..<m).map { ("load/\($0 + 1)", "v\($0 + 1)") }))

        // The count the backup caught halfway finishes on the restored server, exactly.
        var total: CrashRecoveryTests.Total?
        for _ in 0..<600 {
            let reply = try await TestServer.request(.GET, second.url + "/wordcount")
            if let value = try? JSONDecoder().decode(CrashRecoveryTests.Total.self, from: Data(reply.body)), value.done {
                total = value
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let done = try #require(total, "the restored word count did not finish within 60 s")
        #expect(done.total == words)
        #expect(done.counted == done.slices)
    }

    @Test func killNineDuringAWriteLoadLosesNoAcknowledgedWrite() async throws {
        let dir = try TemporaryDirectory()
        let first = try StratusProcess.Server(data: dir.path, environment: Self.env)
        let writers = (0..<4).map { _ in SequentialWriter() }
        let tasks = writers.enumerated().map { index, writer in
            Task { try? await writer.run(first.url, app: "load", prefix: "w\(index)/") }
        }
        try await Task.sleep(for: .milliseconds(1500))
        // The writes in flight now may or may not land; the acknowledged ones must.
        let acknowledged = writers.map { $0.acknowledged.load(ordering: .relaxed) }
        first.crash()
        for writer in writers { writer.stopped.store(true, ordering: .relaxed) }
        for task in tasks { await task.value }
        #expect(acknowledged.allSatisfy { $0 > 0 }, "\(acknowledged)")

        let second = try StratusProcess.Server(data: dir.path, environment: Self.env)
        defer { second.stop() }
        for (index, count) in acknowledged.enumerated() {
            let found = try await Self.keys(second.url, app: "load", prefix: "w\(index)/")
            for n in 1...count {
                #expect(found["w\(index)/\(n)"] == "v\(n)", "acknowledged write w\(index)/\(n) is missing after the restart")
            }
        }
    }

    @Test func exportAndImportMoveAStoreToAnotherFolder() async throws {
        let source = try TemporaryDirectory(), target = try TemporaryDirectory()
        let archive = source.file("moved.tar.gz")
        let first = try StratusProcess.Server(data: source.file("data"), extra: ["--deploy", try Repository.sample("hello", module: "hello.wasm")],
                                              environment: Self.env)
        let set = try StratusProcess.run(["kv", "set", "hello", "greeting", "bonjour", "--server", first.url, "--token", Self.token])
        #expect(set.status == 0, "\(set.stderr)")
        first.stop()

        let export = try StratusProcess.run(["export", archive, "--data", source.file("data")])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("1 app") && export.stdout.contains("1 key"), "\(export.stdout)")
        #expect(!export.stderr.contains("exporting"), "no progress line when standard error is not a terminal")
        // On a terminal (script(1) gives the command one), a progress line shows and is cleared.
        let onTerminal = try StratusProcess.run(["-qec", "\(try StratusProcess.executable) export \(source.file("again.tar.gz")) --data \(source.file("data"))",
                                                 "/dev/null"], executable: "/usr/bin/script")
        #expect(onTerminal.stdout.contains("exporting ") && onTerminal.stdout.contains("items\u{1B}[K"), "\(onTerminal.stdout)")
        let imported = try StratusProcess.run(["import", archive, "--data", target.file("data")])
        #expect(imported.status == 0, "\(imported.stderr)")
        let again = try StratusProcess.run(["import", archive, "--data", target.file("data")])
        #expect(again.status != 0 && again.stderr.contains("store_not_empty"), "\(again.stderr)")

        let cut = source.file("cut.tar.gz")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: cut))
        let refused = try StratusProcess.run(["restore", cut, "--server", "http://127.0.0.1:1"])
        #expect(refused.status != 0 && refused.stderr.contains("truncated"), "a bad archive is refused before any upload: \(refused.stderr)")

        let second = try StratusProcess.Server(data: target.file("data"), environment: Self.env)
        defer { second.stop() }
        let hello = try await TestServer.request(.GET, second.url + "/hello/world")
        #expect(hello.status == 200, "\(hello.text)")
        let value = try StratusProcess.run(["kv", "get", "hello", "greeting", "--server", second.url, "--token", Self.token])
        #expect(value.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "bonjour")
    }
}
