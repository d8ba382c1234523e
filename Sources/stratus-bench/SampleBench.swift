import Foundation
import StratusCLI
import StratusRuntime
import StratusStore

/// End-to-end figures of the event samples: longchain (100 chained KV triggers) and word count.
enum SampleBench {
    struct LongchainStatus: Decodable { let count: Int; let done: Bool; let elapsed_ms: Double }
    struct WordcountTotal: Decodable { let total: Int; let done: Bool }

    static func run(selected: (String) -> Bool) async throws {
        guard selected("longchain") || selected("wordcount") else { return }
        let dir = NSTemporaryDirectory() + "stratus-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let platform = Platform(store: try SQLiteStore(path: dir + "/s.sqlite"), pool: WorkerPool(slots: 2))
        let dispatcher = EventDispatcher(platform: platform)
        let task = Task { try await dispatcher.run() }
        defer { task.cancel() }

        if selected("longchain") {
            _ = try await platform.deploy(try AppFolder.read("samples/longchain"))
            var samples: [Double] = []
            for _ in 0..<10 {
                _ = try await platform.invoke(app: "longchain", function: "start", input: [], trigger: "http")
                while true {
                    let reply = try await platform.invoke(app: "longchain", function: "status", input: [], trigger: "http")
                    let status = try JSONDecoder().decode(LongchainStatus.self, from: Data(reply.body))
                    if status.done {
                        samples.append(status.elapsed_ms)
                        break
                    }
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            report("longchain: 100 chained KV triggers", samples, unit: "ms")
        }

        if selected("wordcount") {
            _ = try await platform.deploy(try AppFolder.read("samples/wordcount"))
            let text = words(bytes: 8 << 20)
            var rates: [Double] = []
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try await platform.invoke(app: "wordcount", function: "split", input: text, trigger: "http")
                while true {
                    let reply = try await platform.invoke(app: "wordcount", function: "total", input: [], trigger: "http")
                    if try JSONDecoder().decode(WordcountTotal.self, from: Data(reply.body)).done { break }
                    try await Task.sleep(for: .milliseconds(2))
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                rates.append(Double(text.count) / 1_048_576 / seconds)
            }
            report("word count of 8 MiB, end to end", rates, unit: "MB/s")
        }
    }

    /// About `bytes` of random lowercase words of 1 to 10 letters, one space after each.
    static func words(bytes: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var text: [UInt8] = []
        while text.count < bytes {
            for _ in 0..<(1 + Int(generator.next() % 10)) { text.append(0x61 + UInt8(generator.next() % 26)) }
            text.append(0x20)
        }
        return text
    }
}
