import CWasmtime
import Crypto
import Foundation
import StratusModel
import Synchronization
import WasmKit
import WASI

/// The compiling engine tier: wasmtime (Cranelift) through its C API, bound to the same host
/// table and WASI session as WasmKit. Each invocation gets a store and an instance of its own,
/// made from a pre-linked module through the pooling allocator with copy-on-write memory
/// images; a guest past its deadline is stopped by epoch interruption.
final class WasmtimeTier: @unchecked Sendable {
    // The engine, linker and bindings are made once and only read after; wasmtime's engine
    // and linker may be used from any thread.
    let library: WasmtimeLibrary
    private let engine: OpaquePointer
    private let linker: OpaquePointer
    private let ticker: EpochTicker
    /// What besides the library a cached compilation depends on.
    private static let settings = "epoch-cow-pool1"
    /// The WASI functions the linker defines, by the index their binding carries.
    let wasiNames: [String]

    /// How much of a freed memory or table slot is reset in place.
    static let keptResident = 1 << 20
    /// How many instances the pooling allocator keeps room for, across all functions at once.
    static let concurrentInstances: UInt32 = 1000

    /// The process's one tier: each engine reserves address space for its pooling allocator,
    /// so every `WasmEngine` shares this one.
    static let shared: Result<WasmtimeTier, WasmtimeUnavailable> = WasmtimeLibrary.load().flatMap { library in
        do {
            return .success(try WasmtimeTier(library: library))
        } catch {
            return .failure(WasmtimeUnavailable("\(library.path) cannot be set up: \(error)"))
        }
    }

    private init(library: WasmtimeLibrary) throws {
        self.library = library
        let api = library.api
        let config = api.config_new()
        api.config_epoch_interruption_set(config, true)
        api.config_memory_init_cow_set(config, true)
        let pooling = api.pooling_config_new()
        api.pooling_config_total_core_instances_set(pooling, Self.concurrentInstances)
        api.pooling_config_total_memories_set(pooling, Self.concurrentInstances)
        api.pooling_config_total_tables_set(pooling, Self.concurrentInstances)
        api.pooling_config_max_memory_size_set(pooling, Int(SettingRange.memoryMB.range.upperBound) << 20)
        // A slot's first pages are zeroed with memset when it is freed, not given back to the
        // system: giving them back costs a TLB shootdown on every core and a fault per page
        // written on the next instance, which made up most of a small guest's invocation.
        api.pooling_config_linear_memory_keep_resident_set(pooling, Self.keptResident)
        api.pooling_config_table_keep_resident_set(pooling, Self.keptResident)
        api.pooling_strategy_set(config, pooling)
        api.pooling_config_delete(pooling)
        engine = api.engine_new_with_config(config)!
        linker = api.linker_new(engine)!
        let epoch = EpochAdvance(library: library, engine: engine)
        ticker = EpochTicker(name: "stratus-epoch") { epoch.advance() }
        wasiNames = WasmEngine.wasiTypes.keys.sorted()
        var bindings: [HostBinding] = []
        for function in HostTable.all {
            bindings.append(HostBinding(library: library, kind: .host(function), module: function.module, name: function.name,
                                        parameters: function.parameters.map(\.type.valueKind), results: [function.result.valueKind]))
        }
        for (index, name) in wasiNames.enumerated() {
            guard let type = WasmEngine.wasiTypes[name] else { continue }
            bindings.append(HostBinding(library: library, kind: .wasi(index, type), module: HostTable.wasiModule, name: name,
                                        parameters: type.parameters.map(\.valueKind), results: type.results.map(\.valueKind)))
        }
        // The linker holds each binding from here on.
        for binding in bindings { try binding.define(in: linker) }
    }

    deinit {
        library.api.linker_delete(linker)
        library.api.engine_delete(engine)
    }

    // MARK: Compile

    /// Compiles `bytes` (whose sha256 is `hash`), or loads the code compiled before from the
    /// cache; throws wasmtime's reason when it refuses the module.
    /// `cacheDirectory` keeps compiled code across restarts; nil: not kept.
    func compile(_ bytes: [UInt8], hash: String, cacheDirectory: String?) throws(WasmtimeRefusal) -> WasmtimeModule {
        let api = library.api
        var module: OpaquePointer?
        let cached = cacheDirectory.map { "\($0)/\(hash)-\(library.identity)-\(Self.settings).cwasm" }
        if let cached, let artifact = CompiledCodeFile.read(cached) {
            let error = artifact.withUnsafeBufferPointer { api.module_deserialize(engine, $0.baseAddress, $0.count, &module) }
            // A cache entry the library does not take (another build, another setting) is compiled again.
            if let error { api.error_delete(error); module = nil }
        }
        if module == nil {
            if let error = bytes.withUnsafeBufferPointer({ api.module_new(engine, $0.baseAddress, $0.count, &module) }) {
                throw WasmtimeRefusal(reason: library.message(error))
            }
            if let cached, let module { save(module, to: cached) }
        }
        guard let module else { throw WasmtimeRefusal(reason: "no module made") }
        var pre: OpaquePointer?
        if let error = api.linker_instantiate_pre(linker, module, &pre) {
            api.module_delete(module)
            throw WasmtimeRefusal(reason: library.message(error))
        }
        return WasmtimeModule(library: library, module: module, pre: pre!, initialMemoryBytes: WasmtimeModule.initialMemoryBytes(of: bytes))
    }

    private func save(_ module: OpaquePointer, to path: String) {
        var bytes = wasm_byte_vec_t()
        guard library.api.module_serialize(module, &bytes) == nil else { return }
        defer { library.api.byte_vec_delete(&bytes) }
        CompiledCodeFile.write(UnsafeRawBufferPointer(start: bytes.data, count: bytes.size), to: path)
    }

    // MARK: Run

    /// Makes an instance of `module` serving `context`, sets it up (`_initialize`, a set-up
    /// export) and runs `entry`: what the guest answered is in `context`. `limits.deadline`
    /// stops it, instantiation and set-up included. A WASI guest is served by `wasi` (made
    /// when nil); the host is answered back when it may serve the function again.
    /// `running` counts the memory of the instances running guests now; `instantiated` is
    /// told how long making the instance took.
    @discardableResult
    func run(_ compiled: CompiledModule, _ module: WasmtimeModule, context: GuestContext, wasi: WASIHost? = nil,
             running: borrowing Atomic<Int>, instantiated: (Duration) -> Void, entry: Bool = true) throws -> WASIHost? {
        let limits = context.invocation.limits
        guard module.initialMemoryBytes <= limits.memoryBytes else { throw MemoryCap.refusal(module.initialMemoryBytes, limits) }
        let host = try compiled.usesWASI ? wasi ?? WASIHost(context: context, imports: compiled.wasiImports, names: wasiNames) : nil
        do {
            try instantiateAndRun(compiled, module, context: context, wasi: host, running: running, instantiated: instantiated, entry: entry)
        } catch {
            host?.session.close()
            throw error
        }
        host?.session.flush()
        guard let host, host.session.files.isPristine else {
            host?.session.close()
            return nil
        }
        return host
    }

    private func instantiateAndRun(_ compiled: CompiledModule, _ module: WasmtimeModule, context: GuestContext, wasi: WASIHost?,
                                   running: borrowing Atomic<Int>, instantiated: (Duration) -> Void, entry: Bool) throws {
        let api = library.api
        let limits = context.invocation.limits
        let run = WasmtimeRun(library: library, engine: engine, context: context)
        defer { run.close() }
        api.store_limiter(run.store, Int64(limits.memoryBytes), -1, -1, -1, -1)
        run.wasi = wasi?.functions ?? []
        ticker.begin()
        defer { ticker.end() }
        api.context_set_epoch_deadline(run.storeContext, EpochTicker.ticks(until: limits.deadline))
        var instance = wasmtime_instance_t()
        var trap: OpaquePointer?
        let began = ContinuousClock.now
        let error = api.instance_pre_instantiate(module.pre, run.storeContext, &instance, &trap)
        try run.check(error, trap, limits)
        instantiated(.now - began)
        let memory = run.memory(of: &instance)
        run.memory = memory
        context.memory = memory
        let counted = memory?.byteCount ?? 0
        running.add(counted, ordering: .relaxed)
        defer { running.subtract(counted, ordering: .relaxed) }
        if compiled.entry != .command, let initialize = run.function("_initialize", of: &instance) {
            try run.call(initialize, limits: limits)
        }
        if let setup = compiled.setup, let function = run.function(setup.export, of: &instance) {
            try context.runSetup(input: setup.input) { try run.call(function, limits: limits) }
        }
        guard entry else { return }
        guard let function = run.function(compiled.entry.name, of: &instance) else {
            throw StratusError(.internalFailure, code: "entry_missing", "entry \(compiled.entry.name) vanished")
        }
        do {
            try run.call(function, limits: limits)
        } catch let trap as StratusError where trap.code == "guest_trap" {
            // wasmtime refuses growth past the limit by failing `memory.grow`, as the standard
            // allows; a guest that traps at its limit is told so, as on WasmKit.
            guard let size = memory?.byteCount, size + 65536 > limits.memoryBytes else { throw trap }
            throw MemoryCap.refusal(size + 65536, limits, after: trap.message)
        }
    }
}

/// Why wasmtime refused a module, in its words.
struct WasmtimeRefusal: Error {
    var reason: String
}

extension ABIType {
    var valueKind: UInt8 {
        switch self {
        case .i32: UInt8(STRATUS_VALKIND_I32)
        case .i64: UInt8(STRATUS_VALKIND_I64)
        }
    }
}

extension ValueType {
    var valueKind: UInt8 {
        switch self {
        case .i64: UInt8(STRATUS_VALKIND_I64)
        case .f32: UInt8(STRATUS_VALKIND_F32)
        case .f64: UInt8(STRATUS_VALKIND_F64)
        default: UInt8(STRATUS_VALKIND_I32)
        }
    }
}

/// Advances an engine's epoch from the ticker's thread, as wasmtime allows from any thread.
private struct EpochAdvance: @unchecked Sendable {
    let library: WasmtimeLibrary
    let engine: OpaquePointer

    func advance() { library.api.engine_increment_epoch(engine) }
}
