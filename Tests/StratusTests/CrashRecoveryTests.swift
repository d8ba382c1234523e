import Foundation
import Testing

/// `kill -9` in the middle of a word count, then a restart on the same data folder: every
/// acknowledged write is there, no slice is lost, and the total is exact.
@Suite(.serialized) struct CrashRecoveryTests {
    struct Total: Decodable {
        let total: Int
        let slices: Int
        let counted: Int
        let done: Bool
    }

    /// About `bytes` of words from a fixed seed, with mixed whitespace, and its word count.
    static func corpus(bytes: Int) -> (text: [UInt8], words: Int) {
        var generator = SplitMix64(seed: 42)
        var text: [UInt8] = []
        text.reserveCapacity(bytes + 32)
        var words = 0
        let separators: [[UInt8]] = [[0x20], [0x20, 0x20], [0x0A], [0x09], [0x0D, 0x0A]]
        while text.count < bytes {
            for _ in 0..<(1 + Int(generator.next() % 12)) { text.append(0x61 + UInt8(generator.next() % 26)) }
            words += 1
            text.append(contentsOf: separators[Int(generator.next() % UInt64(separators.count))])
        }
        return (text, words)
    }

    @Test func aKilledServerRestartsAndFinishesTheWordCountExactly() async throws {
        let dir = try TemporaryDirectory()
        let sample = try Repository.sample("wordcount", module: "count.wasm")
        let env = ["STRATUS_TOKEN": "crash-token"]
        let (text, words) = Self.corpus(bytes: 4 << 20)

        let first = try StratusProcess.Server(data: dir.path, extra: ["--deploy", sample], environment: env)
        let posted = try await TestServer.request(.POST, first.url + "/wordcount", body: text)
        #expect(posted.status == 200, "\(posted.text)")
        // The slices are acknowledged; the counting has only begun. Pull the plug.
        first.crash()

        let second = try StratusProcess.Server(data: dir.path, environment: env)
        defer { second.stop() }
        var result: Total?
        for _ in 0..<600 {
            let reply = try await TestServer.request(.GET, second.url + "/wordcount")
            if let total = try? JSONDecoder().decode(Total.self, from: Data(reply.body)), total.done {
                result = total
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let total = try #require(result, "the word count did not finish within 60 s after the restart")
        #expect(total.total == words)
        #expect(total.counted == total.slices)
        let leftover = try StratusProcess.run(["kv", "list", "wordcount", "wc/slice/", "--server", second.url, "--token", "crash-token"])
        #expect(leftover.stdout.isEmpty, "no slice is left uncounted")
    }
}
