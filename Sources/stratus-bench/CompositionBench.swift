import Foundation
import StratusCLI
import StratusEngine
import StratusRuntime
import StratusStore

/// Composition figures: longchain's 100-deep call chain and 100-step sequence end to end, and
/// the map-reduce word frequencies with parallelism 1 and 2, alternated in one run.
enum CompositionBench {
    static func run(selected: (String) -> Bool) async throws {
        guard selected("composition") else { return }
        let dir = NSTemporaryDirectory() + "stratus-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let platform = Platform(store: try SQLiteStore(path: dir + "/s.sqlite"), pool: WorkerPool(slots: 2))
        // The same chains without fuel metering (no time limit), to show what metering costs.
        var unmetered = EngineLimits()
        unmetered.fuelMetering = false
        let bare = Platform(store: try SQLiteStore(path: dir + "/bare.sqlite"), engine: WasmEngine(limits: unmetered), pool: WorkerPool(slots: 2))

        for target in [platform, bare] { _ = try await target.deploy(try AppFolder.read("samples/longchain")) }
        for (name, function) in [("composition: 100-deep call chain", "chain"), ("composition: 100-step sequence", "chain-sequence")] {
            var samples: [[Double]] = [[], []]
            var made = 0
            for round in 0..<220 {
                if round == 20 { made = platform.engine.instancesMade }
                for (index, target) in [platform, bare].enumerated() {
                    let start = now()
                    let output = try await target.invoke(app: "longchain", function: function, input: Array("0".utf8), trigger: "http")
                    guard output.body == Array("100".utf8) else { throw BenchFailure("\(function) answered \(output.body)") }
                    if round >= 20 { samples[index].append(Double(now() - start) / 1e6) }
                }
            }
            print("\(name): instances made in 200 timed runs: \(platform.engine.instancesMade - made)")
            report(name, samples[0], unit: "ms")
            report(name + ", a hop", samples[0].map { $0 * 10 })  // ms / 100 hops, in µs
            report(name + ", no metering", samples[1], unit: "ms")
        }

        let folder = try AppFolder.read("samples/wordcount")
        let text = corpus(bytes: 8 << 20)
        var rates: [Int: [Double]] = [:]
        for round in 0..<6 {
            let parallelism = round % 2 + 1
            var bundle = folder
            bundle.manifest = bundle.manifest.replacingOccurrences(of: "parallelism: 2", with: "parallelism: \(parallelism)")
            _ = try await platform.deploy(bundle)
            let start = now()
            let output = try await platform.invoke(app: "wordcount", function: "wordfreq", input: text, trigger: "http")
            guard output.status == 200 else { throw BenchFailure("wordfreq answered \(output.status)") }
            rates[parallelism, default: []].append(Double(text.count) / 1_048_576 / (Double(now() - start) / 1e9))
        }
        report("composition: map-reduce word freq., 8 MiB, p=1", rates[1]!, unit: "MB/s")
        report("composition: map-reduce word freq., 8 MiB, p=2", rates[2]!, unit: "MB/s")
        print(String(format: "composition: map-reduce speed-up p=2 / p=1: %.2f", median(rates[2]!) / median(rates[1]!)))
    }

    /// Lines of a dozen words drawn from 5,000, the small ranks far more often, as in real text.
    private static func corpus(bytes: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var text: [UInt8] = []
        text.reserveCapacity(bytes + 128)
        while text.count < bytes {
            for index in 0..<12 {
                let unit = Double(generator.next() as UInt32) / Double(UInt32.max)
                text += Array("\(index == 0 ? "" : " ")w\(Int(unit * unit * 5000))".utf8)
            }
            text.append(0x0A)
        }
        return text
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
