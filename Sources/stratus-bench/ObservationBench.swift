import Foundation
import StratusCLI
import StratusEngine
import StratusHTTP
import StratusRuntime
import StratusStore

/// What recording each invocation costs on the warm path: hello through the platform with the
/// server's Prometheus metrics and invocation log, next to the same with neither (no-op metrics,
/// a log that keeps nothing), alternated in one run.
enum ObservationBench {
    static func run(selected: (String) -> Bool) async throws {
        guard selected("observation") else { return }
        let dir = NSTemporaryDirectory() + "stratus-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let exporter = MetricsExporter()
        let observed = Platform(store: try SQLiteStore(path: dir + "/observed.sqlite"),
                                engine: WasmEngine(instantiated: exporter.platformMetrics.instantiated), pool: WorkerPool(slots: 2),
                                metrics: exporter.platformMetrics)
        let bare = Platform(store: try SQLiteStore(path: dir + "/bare.sqlite"), pool: WorkerPool(slots: 2),
                            invocations: InvocationLog(perApp: 0))
        let targets = [observed, bare]
        for target in targets { _ = try await target.deploy(try AppFolder.read("samples/hello")) }
        var samples: [[Double]] = [[], []]
        for round in 0..<20_200 {
            let index = round % 2
            let start = now()
            _ = try await targets[index].invoke(app: "hello", function: "hello", input: [], trigger: "http", context: ["param.name": "bench"])
            if round >= 200 { samples[index].append(Double(now() - start) / 1e3) }
        }
        report("observation: hello via platform, recorded", samples[0])
        report("observation: hello via platform, not recorded", samples[1])
        print(String(format: "observation: recorded / not recorded (p50): %.3f", median(samples[0]) / median(samples[1])))
    }
}
