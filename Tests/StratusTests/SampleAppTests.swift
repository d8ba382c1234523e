import Foundation
import StratusCLI
import StratusEngine
import StratusRuntime
import StratusStore
import Testing

/// The multi-function sample apps (samples/wordcount, samples/longchain), built by
/// scripts/build-samples.sh, deployed from their folders and driven through a real platform:
/// HTTP functions invoked as the server would, KV triggers delivered by a running dispatcher.
@Suite struct SampleAppTests {
    let dir: TemporaryDirectory
    let platform: Platform

    init() throws {
        dir = try TemporaryDirectory()
        platform = Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")), pool: WorkerPool(slots: 2))
    }

    /// Invokes an HTTP function of `app` as a request `METHOD path` would.
    private func request(_ app: String, _ function: String, _ method: String, _ path: String,
                         body: [UInt8] = []) async throws -> InvocationOutput {
        try await platform.invoke(app: app, function: function, input: body, trigger: "http",
                                  context: ["method": method, "path": path])
    }

    /// Decodes a JSON answer, checking it is 200 with Content-Type application/json.
    private func json<T: Decodable>(_ type: T.Type, _ output: InvocationOutput,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        #expect(output.status == 200, sourceLocation: sourceLocation)
        #expect(output.headers.contains { $0.name.lowercased() == "content-type" && $0.value == "application/json" },
                sourceLocation: sourceLocation)
        return try JSONDecoder().decode(T.self, from: Data(output.body))
    }

    /// Calls `probe` every 20 ms until it returns a value, failing after `seconds`: a guard
    /// against hangs, not a timing (a 3 MiB count takes 4 s alone, 35 s beside the whole suite on 2 cores).
    private func poll<T>(_ what: String, seconds: Double = 120, _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("\(what) did not happen in \(seconds) s")
    }

    /// Waits until the outbox holds no event (the last one is removed just after its function returns).
    private func drained() async throws {
        _ = try await poll("the outbox draining", seconds: 10) {
            try await platform.store.pendingEventCount() == 0 ? true : nil
        }
    }

    private func keys(_ app: String, prefix: String) async throws -> [String] {
        try await platform.kvList(app: app, prefix: prefix, after: nil, limit: 10_000).map { String(decoding: $0.key, as: UTF8.self) }
    }

    // MARK: wordcount

    struct WordCountJob: Decodable, Equatable {
        var slices: Int
        var bytes: Int
    }

    struct WordCountTotal: Decodable, Equatable {
        var total: Int
        var slices: Int
        var counted: Int
        var done: Bool
    }

    /// `bytes` of pseudo-random words (1 to 12 bytes, some of them UTF-8 letters) separated by runs
    /// of mixed whitespace, from a fixed seed; it begins and ends with whitespace.
    static func corpus(bytes: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        func next() -> UInt64 { random.next() }
        let whitespace: [UInt8] = [0x20, 0x20, 0x20, 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C]
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;!?-'\"".utf8)
        let accented = Array("é".utf8)
        var text: [UInt8] = [0x0A]
        text.reserveCapacity(bytes + 32)
        while text.count < bytes {
            let r = next()
            for i in 0..<Int(1 + r % 12) {
                let pick = Int((r >> (8 + UInt64(i) * 4)) % UInt64(letters.count + 1))
                if pick == letters.count { text += accented } else { text.append(letters[pick]) }
            }
            for i in 0..<Int(1 + (r >> 60) % 3) {
                text.append(whitespace[Int((r >> (56 - UInt64(i) * 4)) % UInt64(whitespace.count))])
            }
        }
        return text
    }

    /// Words as the app counts them: maximal runs of bytes other than space, \t, \n, \v, \f, \r.
    static func referenceCount(_ text: [UInt8]) -> Int {
        var words = 0
        var inWord = false
        for byte in text {
            let space = byte == 0x20 || (0x09...0x0D).contains(byte)
            if !space && !inWord { words += 1 }
            inWord = !space
        }
        return words
    }

    /// The slices `split` cuts: at most 64 KiB, ending just after a whitespace byte, or cut at
    /// 64 KiB when the byte after is whitespace or no whitespace is found.
    static func referenceSlices(_ text: [UInt8]) -> [ArraySlice<UInt8>] {
        let sliceMax = 65_536
        func space(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var slices: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < text.count {
            var length = min(sliceMax, text.count - offset)
            if length == sliceMax, offset + sliceMax < text.count, !space(text[offset + sliceMax - 1]), !space(text[offset + sliceMax]) {
                length = (offset + 1..<offset + sliceMax).last { space(text[$0 - 1]) }.map { $0 - offset } ?? sliceMax
            }
            slices.append(text[offset..<offset + length])
            offset += length
        }
        return slices
    }

    /// Runs one job: POST the text, then GET until done. Returns the final state and the seconds it took.
    private func runWordCount(_ text: [UInt8]) async throws -> (WordCountJob, WordCountTotal, Double) {
        let clock = ContinuousClock()
        let started = clock.now
        let job = try json(WordCountJob.self, try await request("wordcount", "split", "POST", "/wordcount", body: text))
        let total = try await poll("the word count finishing") { () -> WordCountTotal? in
            let state = try json(WordCountTotal.self, try await request("wordcount", "total", "GET", "/wordcount"))
            return state.done ? state : nil
        }
        let elapsed = clock.now - started
        return (job, total, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test func wordCountOfAMultiMegabyteCorpusMatchesTheReference() async throws {
        _ = try await platform.deploy(try AppFolder.read(try Repository.sample("wordcount", module: "split.wasm")))
        // Before any job: nothing to count, and nothing pending.
        let empty = try json(WordCountTotal.self, try await request("wordcount", "total", "GET", "/wordcount"))
        #expect(empty == WordCountTotal(total: 0, slices: 0, counted: 0, done: true))

        let text = Self.corpus(bytes: 3 << 20, seed: 0x5EED)
        let expected = Self.referenceCount(text)
        try await platform.whileDispatching {
            let (job, total, seconds) = try await runWordCount(text)
            print("wordcount: \(text.count) bytes, \(expected) words, \(job.slices) slices in \(String(format: "%.2f", seconds)) s"
                + " = \(String(format: "%.2f", Double(text.count) / 1_048_576 / seconds)) MiB/s")
            #expect(job == WordCountJob(slices: job.slices, bytes: text.count))
            // Slices are at most 64 KiB, and cut at whitespace, so there are a few more than 48.
            #expect((48...60).contains(job.slices))
            #expect(total == WordCountTotal(total: expected, slices: job.slices, counted: job.slices, done: true))
            #expect(try await keys("wordcount", prefix: "wc/slice/").isEmpty)
            #expect(try await keys("wordcount", prefix: "wc/count/").count == job.slices)
            #expect(try await platform.kvGet(app: "wordcount", key: "wc/slices") == Array(String(job.slices).utf8))
            try await drained()

            // Each slice's count is that of the slice the same cutting rule makes in Swift.
            let reference = Self.referenceSlices(text)
            #expect(reference.count == job.slices)
            for (n, slice) in reference.enumerated() {
                let count = try await platform.kvGet(app: "wordcount", key: "wc/count/\(n)")
                #expect(count == Array(String(Self.referenceCount(Array(slice))).utf8), "slice \(n)")
            }

            // A duplicate delivery of a slice's event, after the slice is gone, changes nothing.
            let again = try await platform.invoke(app: "wordcount", function: "count", input: Array(reference[3]),
                                                  trigger: "kv", context: ["key": "wc/slice/3", "op": "set"])
            #expect(again.status == 200)
            let after = try json(WordCountTotal.self, try await request("wordcount", "total", "GET", "/wordcount"))
            #expect(after == total)

            // A second, smaller job replaces the first one's counts and slices.
            let small = Self.corpus(bytes: 150_000, seed: 42)
            let (job2, total2, _) = try await runWordCount(small)
            #expect(job2 == WordCountJob(slices: 3, bytes: small.count))
            #expect(total2 == WordCountTotal(total: Self.referenceCount(small), slices: 3, counted: 3, done: true))
            #expect(try await keys("wordcount", prefix: "wc/count/") == ["wc/count/0", "wc/count/1", "wc/count/2"])
            #expect(try await keys("wordcount", prefix: "wc/slice/").isEmpty)
            try await drained()
        }
        #expect(try await platform.deadLetters(app: "wordcount").isEmpty)
    }

    @Test func wordCountCutsAtWhitespaceAndOnlyCutsWordsLongerThanASlice() async throws {
        _ = try await platform.deploy(try AppFolder.read(try Repository.sample("wordcount", module: "split.wasm")))
        // Slices: a word and a space filling exactly 64 KiB; a word cut before the one crossing
        // 64 KiB; that word; a word of 100,000 bytes, cut once (so it counts as two words) and its
        // rest; a word of exactly 64 KiB followed by whitespace, not cut; the last word.
        let word = { (n: Int) in [UInt8](repeating: 0x78, count: n) }
        var text = word(65_535) + [0x20]
        text += word(60_000) + [0x0A] + word(10_000) + [0x09]
        text += word(100_000) + [0x0A]
        text += word(65_536) + [0x20] + word(3)
        try await platform.whileDispatching {
            let (job, total, _) = try await runWordCount(text)
            #expect(job == WordCountJob(slices: 7, bytes: text.count))
            #expect(Self.referenceSlices(text).map(\.count) == [65_536, 60_001, 10_001, 65_536, 34_465, 65_536, 4])
            #expect(total == WordCountTotal(total: 7, slices: 7, counted: 7, done: true))
            for n in 0..<7 {
                #expect(try await platform.kvGet(app: "wordcount", key: "wc/count/\(n)") == Array("1".utf8), "slice \(n)")
            }
            let (none, zero, _) = try await runWordCount([])
            #expect(none == WordCountJob(slices: 0, bytes: 0))
            #expect(zero == WordCountTotal(total: 0, slices: 0, counted: 0, done: true))
            #expect(try await keys("wordcount", prefix: "wc/").count == 1)
        }
    }

    // MARK: longchain

    struct ChainStatus: Decodable {
        var count: Int
        var done: Bool
        var elapsed_ms: Double
    }

    @Test func longChainRunsOneHundredStepsOnce() async throws {
        _ = try await platform.deploy(try AppFolder.read(try Repository.sample("longchain", module: "start.wasm")))
        let before = try json(ChainStatus.self, try await request("longchain", "status", "GET", "/longchain"))
        #expect(before.count == 0 && !before.done && before.elapsed_ms == 0)
        try await platform.whileDispatching {
            for run in 1...2 {
                let started = try await request("longchain", "start", "POST", "/longchain")
                #expect(String(decoding: started.body, as: UTF8.self) == #"{"started": true}"#)
                let status = try await poll("the chain reaching 100") { () -> ChainStatus? in
                    let status = try json(ChainStatus.self, try await request("longchain", "status", "GET", "/longchain"))
                    return status.done ? status : nil
                }
                print("longchain run \(run): 100 steps in \(status.elapsed_ms) ms (\(String(format: "%.2f", status.elapsed_ms / 99)) ms per step)")
                #expect(status.count == 100)
                #expect(status.elapsed_ms > 0)
                try await drained()

                // No step runs past 100, and duplicate deliveries (of a middle step and of the
                // last one) change nothing.
                let end = try await platform.kvGet(app: "longchain", key: "chain/end_ns")
                for seen in ["57", "99", "100"] {
                    _ = try await platform.invoke(app: "longchain", function: "step", input: Array(seen.utf8), trigger: "kv",
                                                  context: ["key": "chain/count", "op": "set"])
                }
                try await drained()
                #expect(try await platform.kvGet(app: "longchain", key: "chain/count") == Array("100".utf8))
                #expect(try await platform.kvGet(app: "longchain", key: "chain/end_ns") == end)
                let after = try json(ChainStatus.self, try await request("longchain", "status", "GET", "/longchain"))
                #expect(after.count == 100 && after.done && after.elapsed_ms == status.elapsed_ms)
            }
        }
        #expect(try await platform.deadLetters(app: "longchain").isEmpty)
    }
}
