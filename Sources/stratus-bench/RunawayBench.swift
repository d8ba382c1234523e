import Foundation
import StratusEngine

/// How long past its time limit a runaway guest (a bare branch loop) keeps its worker, on
/// each engine: the time from the deadline to the invocation's end.
enum RunawayBench {
    static func run(selected: (String) -> Bool) throws {
        guard selected("runaway") else { return }
        var engines = [("wasmkit", WasmEngine(choice: .wasmkit))]
        if case .success = WasmEngine.compilingTier { engines.append(("wasmtime", WasmEngine(choice: .wasmtime))) }
        let spin = try WasmEngine.binary(from: Array(#"(module (memory (export "memory") 1) (func (export "handle") (loop $l (br $l))))"#.utf8),
                                         path: "spin.wat")
        let limit = Duration.milliseconds(100)
        for (name, engine) in engines {
            let compiled = try engine.compile(spin, path: "spin.wat")
            var late: [Double] = []
            for _ in 0..<20 {
                let limits = InvocationLimits(timeout: limit, memoryBytes: 64 << 20)
                _ = try? engine.invoke(compiled, Invocation(input: [], context: [:], limits: limits), host: NoHost())
                late.append(Double((ContinuousClock.now - limits.deadline) / .microseconds(1)) / 1000)
            }
            report("runaway on \(name): time past a 100 ms limit until stopped", late, unit: "ms")
        }
    }
}
