import StratusEngine
import StratusModel

/// The engines that the engine, ABI, WASI, limits and sample suites run against: each test
/// taking an `EngineChoice` runs once on WasmKit and once on wasmtime. CI installs wasmtime's
/// library (scripts/install-wasmtime.sh); without it the wasmtime cases fail, saying so.
enum TestEngines {
    static let both: [EngineChoice] = [.wasmkit, .wasmtime]

    static func make(_ choice: EngineChoice, limits: EngineLimits = EngineLimits(), codeCache: String? = nil) throws -> WasmEngine {
        if choice == .wasmtime, case .failure(let why) = WasmEngine.compilingTier {
            throw TestFailure("the wasmtime cases need wasmtime's library: \(why)")
        }
        return WasmEngine(limits: limits, choice: choice, codeCache: codeCache)
    }
}
