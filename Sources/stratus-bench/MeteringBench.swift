import Foundation
import StratusEngine

/// The same compute-bound guest on each engine, alternated in one run: WasmKit with fuel
/// metering (its time limit) and without, and wasmtime (epoch interruption).
enum MeteringBench {
    /// The compute-bound guest (`bench/sieve.wat`), also run by `scripts/compare-engines.py`.
    static let sievePath = "bench/sieve.wat"

    static func run(selected: (String) -> Bool) throws {
        guard selected("metering") else { return }
        var unmetered = EngineLimits()
        unmetered.fuelMetering = false
        var engines = [("wasmkit metered", WasmEngine(choice: .wasmkit)), ("wasmkit unmetered", WasmEngine(limits: unmetered, choice: .wasmkit))]
        if case .success = WasmEngine.compilingTier { engines.append(("wasmtime", WasmEngine(choice: .wasmtime))) }
        let binary = try WasmEngine.binary(from: try module(sievePath), path: "sieve.wat")
        let compiled = try engines.map { try $0.1.compile(binary, path: "sieve.wat") }
        var samples = [[Double]](repeating: [], count: engines.count)
        for round in 0..<60 {
            for step in engines.indices {
                let index = (round + step) % engines.count
                let start = now()
                _ = try engines[index].1.invoke(compiled[index], Invocation(input: [], context: [:]), host: NoHost())
                samples[index].append(Double(now() - start) / 1e6)
            }
        }
        for (index, engine) in engines.enumerated() {
            report("sieve on \(engine.0): compute-bound sieve", samples[index], unit: "ms")
        }
        print(String(format: "metering: WasmKit's time with / without fuel: %.2f", median(samples[0]) / median(samples[1])))
        if engines.count == 3 {
            print(String(format: "engines: WasmKit metered / wasmtime: %.2f", median(samples[0]) / median(samples[2])))
        }
    }
}
