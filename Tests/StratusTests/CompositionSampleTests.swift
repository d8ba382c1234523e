import Foundation
import StratusCLI
import StratusEngine
import StratusRuntime
import StratusStore
import Testing

/// The composition samples (samples/longchain, samples/binding, samples/wordcount's plan), built
/// by scripts/build-samples.sh and deployed from their folders.
@Suite struct CompositionSampleTests {
    let dir: TemporaryDirectory
    let platform: Platform

    init() throws {
        dir = try TemporaryDirectory()
        platform = Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")), pool: WorkerPool(slots: 2))
    }

    private func post(_ app: String, _ name: String, _ body: [UInt8]) async throws -> InvocationOutput {
        try await platform.invoke(app: app, function: name, input: body, trigger: "http", context: ["method": "POST"])
    }

    private func text(_ output: InvocationOutput) -> String { String(decoding: output.body, as: UTF8.self) }

    @Test func longchainByDirectCallsAndAsASequenceReaches100() async throws {
        _ = try await platform.deploy(try AppFolder.read(try Repository.sample("longchain", module: "chain.wasm")))
        #expect(text(try await post("longchain", "chain", [])) == "100")
        #expect(text(try await post("longchain", "chain-sequence", Array("0".utf8))) == "100")
        #expect(text(try await post("longchain", "chain-sequence", Array("7".utf8))) == "107")
    }

    @Test func aCCallerUsesAWATLibraryThroughModuleBinding() async throws {
        _ = try await platform.deploy(try AppFolder.read(try Repository.sample("binding", module: "calc.wasm")))
        #expect(text(try await post("binding", "calc", Array("10 32".utf8))) == "10 + 32 = 42\n10 * 32 = 320\nfib(10) = 55\n")
        let bad = try await post("binding", "calc", Array("ten".utf8))
        #expect(bad.status == 400)
    }

    /// `bytes` of text whose words come from a vocabulary of `vocabulary` words with a skewed
    /// (roughly Zipf) frequency, a dozen words a line; deterministic for a seed.
    static func text(bytes: Int, vocabulary: Int = 5000, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        func next() -> UInt64 { random.next() }
        let separators: [UInt8] = [0x20, 0x20, 0x20, 0x09, 0x20, 0x0D, 0x0B, 0x0C]
        var text: [UInt8] = []
        text.reserveCapacity(bytes + 64)
        while text.count < bytes {
            for index in 0..<12 {
                let r = next()
                // Squaring a uniform number favours small ranks: a few words are very frequent.
                let unit = Double(r >> 11) / Double(1 << 53)
                let rank = Int(unit * unit * Double(vocabulary))
                if index > 0 { text.append(separators[Int(r % UInt64(separators.count))]) }
                text += Array("w\(rank)".utf8)
                if rank % 7 == 0 { text += Array("é".utf8) }
            }
            text.append(0x0A)
        }
        return text
    }

    /// `word\tcount\n` lines sorted by the words' bytes, as the reduce answers.
    static func referenceFrequencies(_ text: [UInt8]) -> [UInt8] {
        var counts: [[UInt8]: Int] = [:]
        var word: [UInt8] = []
        for byte in text + [0x20] {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                if !word.isEmpty { counts[word, default: 0] += 1 }
                word.removeAll(keepingCapacity: true)
            } else {
                word.append(byte)
            }
        }
        return counts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .flatMap { $0.key + [0x09] + Array(String($0.value).utf8) + [0x0A] }
    }

    @Test func mapReduceWordFrequenciesOfAMultiMegabyteTextMatchTheReference() async throws {
        _ = try await platform.deploy(try AppFolder.read(try Repository.sample("wordcount", module: "mapwords.wasm")))
        let text = Self.text(bytes: 2 << 20, seed: 0xC0FFEE)
        let clock = ContinuousClock()
        let started = clock.now
        let output = try await post("wordcount", "wordfreq", text)
        print("wordfreq: \(text.count) bytes in \(clock.now - started)")
        #expect(output.status == 200)
        let expected = Self.referenceFrequencies(text)
        #expect(output.body.count == expected.count)
        #expect(output.body == expected)
    }
}
