import Foundation
import StratusEngine

/// What fuel metering (the time limit) costs a compute-bound guest: the same guest on an
/// engine with metering and one without, alternated in one run.
enum MeteringBench {
    /// A sieve of Eratosthenes over 64 K bytes of memory, run 40 times: loads, stores,
    /// arithmetic and branches, no host calls.
    static let sieve = """
    (module
      (memory (export "memory") 2)
      (func (export "handle") (local $round i32) (local $i i32) (local $j i32)
        (loop $rounds
          (memory.fill (i32.const 0) (i32.const 0) (i32.const 65536))
          (local.set $i (i32.const 2))
          (loop $outer
            (if (i32.eqz (i32.load8_u (local.get $i)))
              (then
                (local.set $j (i32.mul (local.get $i) (local.get $i)))
                (block $done (loop $inner
                  (br_if $done (i32.ge_u (local.get $j) (i32.const 65536)))
                  (i32.store8 (local.get $j) (i32.const 1))
                  (local.set $j (i32.add (local.get $j) (local.get $i)))
                  (br $inner)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $outer (i32.lt_u (i32.mul (local.get $i) (local.get $i)) (i32.const 65536))))
          (local.set $round (i32.add (local.get $round) (i32.const 1)))
          (br_if $rounds (i32.lt_u (local.get $round) (i32.const 40))))))
    """

    static func run(selected: (String) -> Bool) throws {
        guard selected("metering") else { return }
        var unmetered = EngineLimits()
        unmetered.fuelMetering = false
        let engines = [("on", WasmEngine()), ("off", WasmEngine(limits: unmetered))]
        let binary = try WasmEngine.binary(from: Array(sieve.utf8), path: "sieve.wat")
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
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        print(String(format: "metering: time with / without fuel: %.2f", median(samples[0]) / median(samples[1])))
    }
}
