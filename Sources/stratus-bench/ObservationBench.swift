import Foundation
import StratusCLI
import StratusEngine
import StratusHTTP
import StratusRuntime
import StratusStore

/// What recording each invocation costs on the warm path: hello through the platform with the
/// server's Prometheus metrics and invocation log, next to the same with neither (no-op metrics,
/// a log that keeps nothing), alternated in one run. Both run as the HTTP server runs them: in
/// a task on the worker pool, the guest on the task's own thread.
enum ObservationBench {
    static func run(selected: (String) -> Bool) async throws {
        guard selected("observation") else { return }
        let dir = NSTemporaryDirectory() + "stratus-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let exporter = MetricsExporter()
        let pool = WorkerPool(slots: 2)
        let observed = Platform(store: try SQLiteStore(path: dir + "/observed.sqlite"),
                                engine: WasmEngine(instantiated: exporter.platformMetrics.instantiated), pool: pool,
                                metrics: exporter.platformMetrics)
        let bare = Platform(store: try SQLiteStore(path: dir + "/bare.sqlite"), pool: pool, invocations: InvocationLog(perApp: 0))
        let targets = [observed, bare]
        for target in targets { _ = try await target.deploy(try AppFolder.read("samples/hello")) }
        // What the HTTP layer passes for `GET /hello/bench` from wrk.
        let context = ["method": "GET", "path": "/hello/bench", "query": "", "header.host": "127.0.0.1:18181", "param.name": "bench"]
        let samples = try await withTaskExecutorPreference(pool) {
            var samples: [[Double]] = [[], []]
            for round in 0..<40_400 {
                let index = round % 2
                let start = now()
                _ = try await targets[index].invokeHTTP(app: "hello", function: "hello", input: [], context: context)
                if round >= 400 { samples[index].append(Double(now() - start) / 1e3) }
            }
            return samples
        }
        report("observation: hello via platform, recorded", samples[0])
        report("observation: hello via platform, not recorded", samples[1])
        print(String(format: "observation: recorded / not recorded (p50): %.3f", median(samples[0]) / median(samples[1])))
    }
}
