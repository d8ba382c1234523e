import Foundation
import StratusEngine
import Synchronization

/// Cold and warm starts of sample functions, all measured in one run so their ratios hold. On
/// WasmKit: the first invocation of a just-deployed function (its instance made in the
/// background at deploy), an invocation that finds no idle instance (instantiation and
/// translation), and one served by a pooled instance put back to its snapshot. On wasmtime,
/// where every invocation gets a new instance: an invocation.
enum ColdStartBench {
    struct Case {
        let name: String
        let module: [UInt8]
        let input: [UInt8]
        let context: [String: String]
        let rounds: Int
        /// What each new instance runs before its snapshot (a JavaScript function's script).
        var setup: CompiledModule.Setup? = nil
    }

    static func run(_ cases: [Case], selected: (String) -> Bool) throws {
        for item in cases where selected(item.name) {
            let invocation = Invocation(input: item.input, context: item.context)
            var fresh = EngineLimits()
            fresh.pool.maxIdlePerFunction = 0
            let unpooled = WasmEngine(limits: fresh, choice: .wasmkit)
            let pooled = WasmEngine(choice: .wasmkit)
            let freshModule = try unpooled.compile(item.module, path: item.name, setup: item.setup)
            let pooledModule = try pooled.compile(item.module, path: item.name, setup: item.setup)
            var compiling: (WasmEngine, CompiledModule)?
            if case .success = WasmEngine.compilingTier {
                let engine = WasmEngine(choice: .wasmtime)
                compiling = (engine, try engine.compile(item.module, path: item.name, setup: item.setup, pin: .wasmtime))
            }
            for _ in 0..<10 {
                _ = try unpooled.invoke(freshModule, invocation, host: NoHost())
                _ = try pooled.invoke(pooledModule, invocation, host: NoHost())
                if let (engine, module) = compiling { _ = try engine.invoke(module, invocation, host: NoHost()) }
            }
            // Alternate them so that drift in the machine's speed hits all alike.
            var noIdle: [Double] = [], reset: [Double] = [], wasmtime: [Double] = []
            for _ in 0..<item.rounds {
                noIdle.append(try time { _ = try unpooled.invoke(freshModule, invocation, host: NoHost()) })
                reset.append(try time { _ = try pooled.invoke(pooledModule, invocation, host: NoHost()) })
                if let (engine, module) = compiling {
                    wasmtime.append(try time { _ = try engine.invoke(module, invocation, host: NoHost()) })
                }
            }
            // Back to back, as under steady load: the pooled instance's memory stays in the caches.
            var warm: [Double] = []
            for _ in 0..<item.rounds {
                warm.append(try time { _ = try pooled.invoke(pooledModule, invocation, host: NoHost()) })
            }
            var first: [Double] = []
            for _ in 0..<min(item.rounds, 30) {
                let engine = WasmEngine(choice: .wasmkit)
                let compiled = try engine.compile(item.module, path: item.name, setup: item.setup)
                engine.prewarm(compiled, invocation)
                while engine.idleInstances(compiled, app: "", function: invocation.functionName) == 0 { usleep(200) }
                first.append(try time { _ = try engine.invoke(compiled, invocation, host: NoHost()) })
            }
            report("\(item.name): first request after deploy (WasmKit)", first)
            report("\(item.name): no idle instance (WasmKit, instantiate)", noIdle)
            report("\(item.name): pooled (WasmKit, reset to snapshot)", reset)
            report("\(item.name): pooled, back to back (WasmKit)", warm)
            print(String(format: "%@: no idle / pooled p50 ratio: %.1f", item.name as NSString, median(noIdle) / median(reset)))
            if !wasmtime.isEmpty {
                report("\(item.name): on wasmtime (a new instance each time)", wasmtime)
                print(String(format: "%@: wasmtime / WasmKit pooled p50 ratio: %.2f", item.name as NSString, median(wasmtime) / median(reset)))
            }
        }
    }

    /// Invocations a second on `threads` threads when none finds an idle instance: the rate
    /// at which the engine sustains cold starts.
    static func coldStartRate(_ item: Case, threads: Int, seconds: Double) throws {
        var limits = EngineLimits()
        limits.pool.maxIdlePerFunction = 0
        let engine = WasmEngine(limits: limits, choice: .wasmkit)
        let compiled = try engine.compile(item.module, path: item.name)
        let invocation = Invocation(input: item.input, context: item.context)
        let total = Counter()
        let deadline = now() + UInt64(seconds * 1e9)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while now() < deadline {
                _ = try? engine.invoke(compiled, invocation, host: NoHost())
                total.value.add(1, ordering: .relaxed)
            }
        }
        print(String(format: "%@: cold starts sustained on %d threads: %.0f /s", item.name as NSString, threads,
                     Double(total.value.load(ordering: .relaxed)) / seconds))
    }

    private static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = now()
        try body()
        return Double(now() - start) / 1e3
    }
}

private final class Counter: Sendable {
    let value = Atomic(0)
}
