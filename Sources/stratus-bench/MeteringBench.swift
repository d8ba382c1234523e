import Foundation
import StratusEngine

/// What fuel metering (the time limit) costs a compute-bound guest: the same guest on an
/// engine with metering and one without, alternated in one run.
enum MeteringBench {
    /// The compute-bound guest (`bench/sieve.wat`), also run by `scripts/compare-engines.py`.
    static let sievePath = "bench/sieve.wat"

    static func run(selected: (String) -> Bool) throws {
        guard selected("metering") else { return }
        var unmetered = EngineLimits()
        unmetered.fuelMetering = false
        let engines = [("on", WasmEngine()), ("off", WasmEngine(limits: unmetered))]
        let binary = try WasmEngine.binary(from: try module(sievePath), path: "sieve.wat")
        let compiled = try engines.map { try $0.1.compile(binary, path: "sieve.wat") }
        var samples: [[Double]] = [[], []]
        for round in 0..<60 {
            for index in [round % 2, 1 - round % 2] {
                let start = now()
                _ = try engines[index].1.invoke(compiled[index], Invocation(input: [], context: [:]), host: NoHost())
                samples[index].append(Double(now() - start) / 1e6)
            }
        }
        report("metering on: compute-bound sieve", samples[0], unit: "ms")
        report("metering off: compute-bound sieve", samples[1], unit: "ms")
        print(String(format: "metering: time with / without fuel: %.2f", median(samples[0]) / median(samples[1])))
    }
}
