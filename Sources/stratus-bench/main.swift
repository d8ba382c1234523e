// In-process figures for BENCHMARKS.md: deploy-time compile of a ~100 KB module and the
// per-invocation cost (fresh instance + run) of the samples. `scripts/bench.sh` adds the
// HTTP figures. Run from the repository root after scripts/build-samples.sh.
import Foundation
import StratusEngine

struct NoHost: HostServices {}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func median(_ samples: [Double]) -> Double {
    samples.sorted()[samples.count / 2]
}

func report(_ name: String, _ samples: [Double], unit: String = "µs") {
    let sorted = samples.sorted()
    print(String(format: "%-44@ p50 %9.1f %@  p99 %9.1f %@  (n=%d)", name as NSString, percentile(sorted, 0.5), unit as NSString,
                 percentile(sorted, 0.99), unit as NSString, samples.count))
}

/// A module of about `bytes` bytes: many small functions with loops and arithmetic, so
/// validation and translation have real code to work through.
func syntheticModule(bytes target: Int) throws -> [UInt8] {
    var functions = 0
    var wasm: [UInt8] = []
    while wasm.count < target {
        functions += 200
        var wat = "(module (memory (export \"memory\") 1)\n"
        for i in 0..<functions {
            wat += """
            (func $f\(i) (param $x i32) (result i32) (local $i i32) (local $acc i32)
              (local.set $acc (local.get $x))
              (block $done (loop $again
                (br_if $done (i32.ge_u (local.get $i) (i32.const \(i % 97 + 3))))
                (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (i32.xor (local.get $i) (i32.const \(i)))))
                (i32.store (i32.and (local.get $acc) (i32.const 0xfffc)) (local.get $acc))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $again)))
              (local.get $acc))

            """
        }
        wat += "(func (export \"handle\") (drop (call $f0 (i32.const 1)))))"
        wasm = try WasmEngine.binary(from: Array(wat.utf8), path: "synthetic.wat")
    }
    return wasm
}

func module(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(path) is missing: run scripts/build-samples.sh"])
    }
    return [UInt8](data)
}

/// `stratus-bench NAME` runs only the figures whose name starts with NAME (for profiling).
let only = CommandLine.arguments.dropFirst().first
func selected(_ name: String) -> Bool { only.map { name.hasPrefix($0) } ?? true }

print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.operatingSystemVersionString)")
if selected("deploy") {
for size in [100_000, 1_000_000] {
    let big = try syntheticModule(bytes: size)
    let cache = NSTemporaryDirectory() + "stratus-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: cache) }
    // A new engine has an empty module cache, so each round compiles: WasmKit validates;
    // wasmtime also compiles to machine code, cold (no code cache) or loading its code cache.
    var engines: [(String, () -> WasmEngine)] = [("WasmKit", { WasmEngine(choice: .wasmkit) })]
    if case .success = WasmEngine.compilingTier {
        engines.append(("wasmtime, cold", { WasmEngine(choice: .wasmtime) }))
        engines.append(("wasmtime, from the code cache", { WasmEngine(choice: .wasmtime, codeCache: cache) }))
        _ = try WasmEngine(choice: .wasmtime, codeCache: cache).compile(big, path: "synthetic.wasm")
    }
    for (name, make) in engines {
        var compile: [Double] = []
        for _ in 0..<(size > 500_000 ? 5 : 15) {
            let engine = make()
            let start = now()
            _ = try engine.compile(big, path: "synthetic.wasm")
            compile.append(Double(now() - start) / 1e6)
        }
        report("deploy compile, \(big.count / 1024) KB module, \(name)", compile, unit: "ms")
    }
}
}

let kib = [UInt8](repeating: 0x61, count: 1024)
let hello = ColdStartBench.Case(name: "hello", module: try module("samples/hello/hello.wasm"), input: [],
                               context: ["param.name": "bench", "function": "hello"], rounds: 2_000)
let uppercase = ColdStartBench.Case(name: "uppercase 1 KiB", module: try module("samples/uppercase/uppercase.wasm"), input: kib,
                                   context: ["function": "uppercase"], rounds: 500)
// A Rust guest on the SDK: its memory starts at 1 MiB (Rust's default stack), large enough for
// restore to copy back only the pages written. Only when scripts/build-rust.sh has built it.
let rusty = FileManager.default.fileExists(atPath: "samples/rusty/rusty.wasm")
    ? [ColdStartBench.Case(name: "rusty hello (Rust, 1 MiB memory)", module: try module("samples/rusty/rusty.wasm"), input: [],
                           context: ["param.name": "bench", "method": "GET", "path": "/rusty/hello/bench", "trigger": "http",
                                     "function": "hello", "var.greeting": "howdy"], rounds: 500)]
    : []
// A JavaScript function: the Duktape runner with a script evaluated before the snapshot (448 KiB
// of memory after it, and much of the heap written each time). Only when scripts/build-js.sh has built it.
let script = "function handle() { stratus.header('Content-Type', 'text/plain'); stratus.write('Hello, ' + stratus.ctx('param.name') + '!'); }"
let javascript = FileManager.default.fileExists(atPath: "js/stratus-js.wasm")
    ? [ColdStartBench.Case(name: "js hello (JavaScript runner)", module: try module("js/stratus-js.wasm"), input: [],
                           context: ["param.name": "bench", "function": "hello"], rounds: 300,
                           setup: CompiledModule.Setup(export: "js_init", input: Array(script.utf8)))]
    : []
// Made only when selected: writing its text and assembling it takes seconds, which would swamp a profile of the others.
let synthetic = selected("100 KB module")
    ? [ColdStartBench.Case(name: "100 KB module", module: try syntheticModule(bytes: 100_000), input: [],
                           context: ["function": "synthetic"], rounds: 100)]
    : []
try ColdStartBench.run([hello, uppercase] + rusty + javascript + synthetic, selected: selected)
if selected("hello") { try ColdStartBench.coldStartRate(hello, threads: 2, seconds: 3) }
try DensityBench.run(uppercase, functions: 1_000, selected: selected)
try await KVBench.run(selected: selected)
try await SampleBench.run(selected: selected)
try await CompositionBench.run(selected: selected)
try MeteringBench.run(selected: selected)
try RunawayBench.run(selected: selected)
try await ObservationBench.run(selected: selected)
try await ClusterBench.run(selected: selected)
