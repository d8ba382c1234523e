import Foundation
import WasmKit
import WAT

/// How many units of fuel a guest burns in a second on this machine, measured once per process.
/// WasmKit cannot interrupt a running guest, so a time limit becomes a fuel budget: the
/// deadline's remaining time times this rate.
enum FuelRate {
    /// Units per second of CPU time, from a loop of the loads, stores, arithmetic and branches
    /// compiled C is made of. Guests of heavier operators burn fuel more slowly and may run
    /// somewhat past their deadline; guests of lighter ones stop somewhat before it. On a busy
    /// machine a guest gets its time limit's worth of CPU, and the deadline checked at each
    /// host call bounds the wall time.
    static let perSecond: Double = measure()

    /// The fuel for `remaining` time.
    static func budget(for remaining: Duration) -> UInt64 {
        let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
        guard seconds > 0 else { return 0 }
        return UInt64(min(seconds * perSecond, Double(UInt64.max / 2)))
    }

    /// CPU time of the calling thread: the rate must not depend on how busy the machine is
    /// while it is measured.
    private static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private static func measure() -> Double {
        let loop = """
        (module
          (memory 1)
          (func (export "spin") (local $i i32)
            (loop $again
              (i32.store (i32.and (local.get $i) (i32.const 0xfffc))
                (i32.add (i32.load (i32.and (i32.mul (local.get $i) (i32.const 7)) (i32.const 0xfffc))) (local.get $i)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $again))))
        """
        let engine = Engine(configuration: EngineConfiguration(memoryBoundsChecking: .software, fuelMetering: true))
        guard let binary = try? wat2wasm(loop), let module = try? parseWasm(bytes: binary) else { return 350e6 }
        let store = Store(engine: engine)
        guard let spin = try? module.instantiate(store: store).exports[function: "spin"] else { return 350e6 }
        // Grow the budget until a run takes long enough to time, then keep the fastest of three.
        var units: UInt64 = 1_000_000
        var best = 0.0
        var rounds = 0
        while rounds < 3 {
            store.fuel = Fuel(remaining: units)
            let start = threadCPUSeconds()
            _ = try? spin()
            let seconds = threadCPUSeconds() - start
            if seconds < 0.01 && units < 1 << 40 {
                units *= 4
                continue
            }
            best = max(best, Double(units) / seconds)
            rounds += 1
        }
        return best
    }
}
