import Crypto
import Dispatch
import Synchronization
import StratusModel
@_spi(Fuzzing) import WasmKit
import WasmKitWASI
@_spi(WASIPlatform) import WASI
import WAT
import WasmParser

/// Compiles modules once and runs invocations, each in a fresh instance. Thread-safe: call
/// `invoke` from any worker thread; it blocks that thread for the guest's run.
public final class WasmEngine: Sendable {
    private let engine: Engine
    /// Validates modules at deploy by translating every function up front.
    private let validationEngine: Engine
    private let cache = ModuleCache()
    private let pool: InstancePool
    /// WASI hosts of functions wasmtime runs, idle between their invocations.
    private let wasiHosts = WASIHostPool()
    private let made = Atomic(0)
    /// Linear memory of the instances running guests now, as it was when each began.
    private let runningBytes = Atomic(0)
    /// Where pools are filled ahead of demand, one instance at a time.
    private let fillQueue = DispatchQueue(label: "stratus.pool-fill", qos: .utility)
    private let stacks: StackPool
    /// Makes the instances filled ahead of demand: it translates all code at instantiation, in
    /// the background, so that no request pays for translation on a first call.
    private let fillEngine: Engine
    private let fillStacks: StackPool
    public let limits: EngineLimits

    /// Told how long each new instance took to make, for the cold-start metric.
    private let instantiated: @Sendable (Duration) -> Void
    /// The engine asked for: functions that pin none run on it.
    public let choice: EngineChoice
    /// The compiling tier, when it serves.
    private let wasmtime: WasmtimeTier?
    /// Where wasmtime's compiled code is kept across restarts; nil: not kept.
    private let codeCache: String?

    /// `choice` `.wasmtime` needs the library (see ``compilingTier``); `.auto` uses it when it
    /// loads. `codeCache` is a folder for compiled code.
    public init(limits: EngineLimits = EngineLimits(), instantiated: @escaping @Sendable (Duration) -> Void = { _ in },
                choice: EngineChoice = .auto, codeCache: String? = nil) {
        self.limits = limits
        self.instantiated = instantiated
        self.choice = choice
        self.codeCache = codeCache
        wasmtime = choice == .wasmkit ? nil : try? WasmtimeTier.shared.get()
        pool = InstancePool(settings: limits.pool)
        engine = Engine(configuration: EngineConfiguration(memoryBoundsChecking: .software, fuelMetering: limits.fuelMetering))
        stacks = StackPool(engine: engine)
        fillEngine = Engine(configuration: EngineConfiguration(compilationMode: .eager, memoryBoundsChecking: .software,
                                                               fuelMetering: limits.fuelMetering))
        fillStacks = StackPool(engine: fillEngine)
        Self.trimPeriodically(pool, on: fillQueue)
        validationEngine = Engine(configuration: EngineConfiguration(compilationMode: .eager))
    }

    /// The `wasi_snapshot_preview1` functions the bridge provides, with their types: a
    /// throwaway bridge tells which exist.
    static let wasiTypes: [String: FunctionType] = {
        var types: [String: FunctionType] = [:]
        if let bridge = try? WASIBridgeToHost() {
            for (name, function) in bridge.hostFunctions(capabilities: WASICapability<WasmKit.Memory>.all) {
                types[name] = function.type
            }
            try? bridge.close()
        }
        return types
    }()

    // MARK: Deploy

    /// Turns `.wat` text into a binary module; `.wasm` bytes pass through.
    public static func binary(from bytes: [UInt8], path: String) throws -> [UInt8] {
        guard path.hasSuffix(".wat") else { return bytes }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StratusError(.badRequest, code: "module_invalid", "\(path): not UTF-8 text")
        }
        guard NestingLimit.watDepth(text) <= NestingLimit.wat else {
            throw StratusError(.badRequest, code: "module_invalid", "\(path): the text nests deeper than \(NestingLimit.wat) levels; flatten it, or compile it to .wasm")
        }
        do {
            return try wat2wasm(text)
        } catch {
            throw StratusError(.badRequest, code: "module_invalid", "\(path): \(error)")
        }
    }

    /// The compiling tier's library and version, or why it does not serve.
    public static var compilingTier: Result<String, WasmtimeUnavailable> {
        WasmtimeTier.shared.map { "wasmtime \($0.library.version) (\($0.library.path))" }
    }

    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Parses, validates and checks the imports of a binary module, or returns the cached result
    /// for the same bytes. `entry` is the manifest's entry, if it names one; `path` names the file
    /// in errors; an import from a module named in `bindable` (the app's other functions) is a
    /// binding, which the caller checks against that function's exports.
    /// `pin` is the function's `limits.engine`, if it names one.
    public func compile(_ bytes: [UInt8], entry: String? = nil, path: String, bindable: Set<String> = [],
                        setup: CompiledModule.Setup? = nil, pin: EngineChoice? = nil) throws -> CompiledModule {
        let hash = Self.sha256(bytes)
        func invalid(_ why: String) -> StratusError {
            StratusError(.badRequest, code: "module_invalid", "\(path): \(why)")
        }
        let compiling = try usesWasmtime(pin: pin, setup: setup != nil, invalid)
        let key = "\(hash)#\(entry ?? "")#\(bindable.sorted().joined(separator: ","))#\(compiling ? "wasmtime" : "wasmkit")"
        // The module is validated once; each set-up (a script for the runner) shares it.
        let base = try cache[key] ?? compileBase(bytes, hash: hash, key: key, entry: entry, bindable: bindable,
                                                  wasmtime: compiling, pinned: pin == .wasmtime, invalid)
        guard let setup else { return base }
        guard base.exports[setup.export] == FunctionType(parameters: [], results: []) else {
            throw invalid("has no export `\(setup.export)` taking and returning nothing, which its set-up needs")
        }
        return base.with(setup, key: key + "#\(setup.export):\(Self.sha256(setup.input))")
    }

    /// Whether wasmtime is to run a module of a function pinning `pin`: `.auto` leaves a
    /// set-up (the JavaScript runner's script) to WasmKit, whose pools keep its evaluated state.
    private func usesWasmtime(pin: EngineChoice?, setup: Bool, _ invalid: (String) -> StratusError) throws -> Bool {
        switch pin ?? choice {
        case .wasmkit: return false
        case .auto: return wasmtime != nil && !setup
        case .wasmtime:
            guard wasmtime != nil else {
                var reason = "the server runs WasmKit only (--engine wasmkit)"
                if case .failure(let unavailable) = WasmtimeTier.shared { reason = unavailable.description }
                throw invalid("its function pins limits.engine: wasmtime, which this server cannot run: \(reason)")
            }
            return true
        }
    }

    private func compileBase(_ bytes: [UInt8], hash: String, key: String, entry: String?, bindable: Set<String>,
                             wasmtime compiling: Bool, pinned: Bool, _ invalid: (String) -> StratusError) throws -> CompiledModule {
        let module: Module
        do {
            module = try parseWasm(bytes: bytes)
        } catch {
            throw invalid("not a valid WebAssembly module: \(error)")
        }
        var wasiImports: Set<String> = []
        var bindings: [CompiledModule.Binding] = []
        for item in module.imports {
            guard case .function(let typeIndex) = item.descriptor else {
                throw invalid("imports a \(Self.kind(item.descriptor)) `\(item.module).\(item.name)`; Stratus provides functions only")
            }
            guard let actual = module.functionType(at: typeIndex) else {
                throw invalid("imports `\(item.module).\(item.name)` with an unknown type")
            }
            let provided: FunctionType?
            switch item.module {
            case let module where HostTable.serves(module): provided = HostTable.function(module, item.name)?.wasmKitType
            case HostTable.wasiModule:
                provided = Self.wasiTypes[item.name]
                wasiImports.insert(item.name)
            case let other where bindable.contains(other):
                guard (actual.parameters + actual.results).allSatisfy(Self.isNumber) else {
                    throw invalid("imports `\(item.module).\(item.name)` from another function with type \(Self.describe(actual)); module binding passes numbers only (i32, i64, f32, f64)")
                }
                bindings.append(.init(module: item.module, name: item.name, type: actual))
                continue
            default: provided = nil
            }
            guard let provided else {
                throw invalid("imports `\(item.module).\(item.name)`, which Stratus does not provide (docs/ABI.md lists the host functions; a module named after another function of the app binds to its exports)")
            }
            guard actual == provided else {
                throw invalid("imports `\(item.module).\(item.name)` with type \(Self.describe(actual)); Stratus provides \(Self.describe(provided))")
            }
        }
        let resolved = try resolveEntry(module, entry, invalid)
        let instance = try validate(module, invalid)
        guard let type = instance.exports[function: resolved.name]?.type, type.parameters.isEmpty, type.results.count <= 1 else {
            throw invalid("entry `\(resolved.name)` must take no parameters and return at most one value")
        }
        var exports: [String: FunctionType] = [:]
        for export in module.exports {
            if case .function = export.descriptor, let function = instance.exports[function: export.name] {
                exports[export.name] = function.type
            }
        }
        // Instances of a module that imports other functions hold theirs: they are not pooled.
        var state: StateExports?
        var runtimeModule = module
        if bindings.isEmpty, let exposed = StateExports.expose(bytes), let rewritten = try? parseWasm(bytes: exposed.binary) {
            state = exposed.exports
            runtimeModule = rewritten
        }
        // Module binding runs on WasmKit: its importer and callee instances share a thread's stack.
        var compiledCode: WasmtimeModule?
        if compiling, let tier = wasmtime {
            guard bindings.isEmpty || !pinned else {
                throw invalid("imports from other functions of the app (module binding), which only WasmKit runs; set limits.engine: wasmkit")
            }
            if bindings.isEmpty {
                do {
                    compiledCode = try tier.compile(bytes, hash: hash, cacheDirectory: codeCache)
                } catch {
                    throw invalid("wasmtime refuses it: \(error.reason.split(separator: "\n").first ?? ""); set limits.engine: wasmkit to run it on WasmKit")
                }
            }
        }
        let compiled = CompiledModule(sha256: hash, key: key, entry: resolved, wasiImports: wasiImports, bindings: bindings,
                                      exports: exports, module: runtimeModule, state: state, setup: nil, wasmtime: compiledCode)
        cache[key] = compiled
        return compiled
    }

    private func resolveEntry(_ module: Module, _ entry: String?, _ invalid: (String) -> StratusError) throws -> CompiledModule.Entry {
        let functions = Set(module.exports.compactMap { export -> String? in
            if case .function = export.descriptor { return export.name }
            return nil
        })
        let name: String
        if let entry {
            guard functions.contains(entry) else { throw invalid("has no exported function `\(entry)` (the manifest's entry)") }
            name = entry
        } else if functions.contains("handle") {
            name = "handle"
        } else if functions.contains("_start") {
            name = "_start"
        } else {
            throw invalid("exports neither `handle` nor `_start`; export one, or name the entry in the manifest")
        }
        return name == "_start" ? .command : .export(name)
    }

    /// Instantiates once with inert imports and translates every function, so a module that
    /// would fail later fails now. The start function is dropped: deploy runs no guest code.
    private func validate(_ module: Module, _ invalid: (String) -> StratusError) throws -> Instance {
        var module = module
        module.dropStartFunction()
        let store = Store(engine: validationEngine)
        var imports = Imports()
        for item in module.imports {
            guard case .function(let index) = item.descriptor, let type = module.functionType(at: index) else { continue }
            imports.define(module: item.module, name: item.name, Function(store: store, type: type) { _, _ in
                throw StratusError(.internalFailure, code: "validation", "not callable during validation")
            })
        }
        do {
            return try module.instantiate(store: store, imports: imports)
        } catch {
            throw invalid("does not validate: \(Self.firstLine(error))")
        }
    }

    /// Forgets compiled modules that no deployed app uses any more.
    public func retainModules(_ hashes: Set<String>) {
        cache.retain(only: hashes)
        // A module's key starts with its hash.
        pool.retain { key in hashes.contains { key.module.hasPrefix("\($0)#") } }
        wasiHosts.retain { key in hashes.contains { key.module.hasPrefix("\($0)#") } }
    }

    /// How many instances the engine has made (each a cold start: translation included).
    public var instancesMade: Int { made.load(ordering: .relaxed) }

    /// Guest linear memory held now: by idle pooled instances, and by running ones.
    public var guestMemory: (idleInstances: Int, idleBytes: Int, runningBytes: Int) {
        let idle = pool.totals
        return (idle.instances, idle.bytes, runningBytes.load(ordering: .relaxed))
    }

    /// How many instances of `app`'s `function` (of `compiled`) are idle.
    public func idleInstances(_ compiled: CompiledModule, app: String, function: String) -> Int {
        pool.idleCount(Self.poolKey(compiled, Invocation(input: [], context: ["app": app, "function": function])))
    }

    // MARK: Invoke

    /// Runs one invocation in an instance put back to its snapshot, or a fresh one when none is
    /// idle. Blocks the calling thread until the guest ends.
    /// `invocation` is consumed: the instance's context takes it over without copying it.
    public func invoke(_ compiled: CompiledModule, _ invocation: consuming Invocation, host: any HostServices) throws(InvocationFailure) -> InvocationOutput {
        let invocationLimits = invocation.limits
        // Its caller has had its answer: a queued invocation past its deadline runs nothing.
        guard invocationLimits.deadline > .now else { throw InvocationFailure(invocationLimits.timeoutError(), logs: []) }
        if let code = compiled.wasmtime, let tier = wasmtime {
            let key = compiled.usesWASI ? Self.poolKey(compiled, invocation) : nil
            guard let wasi = key.flatMap(wasiHosts.checkout) else {
                return try invokeCompiled(compiled, code, tier, GuestContext(invocation: invocation, host: host, limits: limits), key: key)
            }
            wasi.begin(invocation, host: host)
            return try invokeCompiled(compiled, code, tier, wasi.context, wasi: wasi, key: key)
        }
        let key = Self.poolKey(compiled, invocation)
        var live: LiveInstance?
        var reusable = false
        var counted = 0
        defer {
            runningBytes.subtract(counted, ordering: .relaxed)
            if let live {
                if reusable { release(live, key) } else { live.close() }
            }
        }
        let logs: () -> [LogLine] = { live?.context.logs.lines ?? [] }
        do {
            let (pooled, idleLeft) = pool.checkout(key)
            if idleLeft == 0 { prewarm(compiled, invocation) }
            if let pooled {
                pooled.begin(invocation, host: host)
                live = pooled
                try start(pooled, invocationLimits)
            } else {
                live = try instantiate(compiled, GuestContext(invocation: invocation, host: host, limits: limits))
            }
            guard let live, let entry = live.entry else {
                throw StratusError(.internalFailure, code: "entry_missing", "entry \(compiled.entry.name) vanished")
            }
            counted = live.context.memory?.byteCount ?? 0
            runningBytes.add(counted, ordering: .relaxed)
            do {
                _ = try preemptible(live, invocationLimits.deadline) { try live.stacks.withStack { try entry.invoke([], on: &$0) } }
            } catch let exit as WASIExitCode {
                guard exit.code == 0 else {
                    throw StratusError(.guestFailure, code: "guest_exit", "the program exited with status \(exit.code)")
                }
            }
            // A trapped instance is never reused: only one that ended normally goes back.
            reusable = live.snapshot != nil
        } catch let error as StratusError {
            live?.flush()
            throw InvocationFailure(error, logs: logs())
        } catch let setup as SetupFailure {
            throw Self.failure(setup.error, setup.logs, invocationLimits, during: "its set-up")
        } catch {
            live?.flush()
            throw Self.failure(error, logs(), invocationLimits, during: nil)
        }
        live!.flush()
        let context = live!.context
        return Self.output(of: context, compiled)
    }

    /// Runs one invocation on wasmtime, in an instance of its own; a WASI guest's host (`wasi`,
    /// made when nil) goes back to `key`'s idle hosts when it may serve again.
    private func invokeCompiled(_ compiled: CompiledModule, _ code: WasmtimeModule, _ tier: WasmtimeTier,
                                _ context: GuestContext, wasi: WASIHost? = nil, key: PoolKey?) throws(InvocationFailure) -> InvocationOutput {
        let invocationLimits = context.invocation.limits
        made.add(1, ordering: .relaxed)
        do {
            do {
                let kept = try tier.run(compiled, code, context: context, wasi: wasi, running: runningBytes, instantiated: instantiated)
                if let kept, let key { wasiHosts.checkin(key, kept) }
            } catch let exit as WASIExitCode {
                guard exit.code == 0 else {
                    throw StratusError(.guestFailure, code: "guest_exit", "the program exited with status \(exit.code)")
                }
            }
        } catch let error as StratusError where error.code != "guest_trap" {
            throw InvocationFailure(error, logs: context.logs.lines)
        } catch let setup as SetupFailure {
            throw Self.failure(setup.error, setup.logs, invocationLimits, during: "its set-up")
        } catch {
            // A trap may be the JavaScript runner's uncaught error.
            throw Self.failure(error, context.logs.lines, invocationLimits, during: nil)
        }
        return Self.output(of: context, compiled)
    }

    /// What the guest serving `context` answered: a WASI command's CGI header lines applied.
    private static func output(of context: GuestContext, _ compiled: CompiledModule) -> InvocationOutput {
        var output = InvocationOutput(status: context.status, headers: context.headers, body: context.output.bytes, logs: context.logs.lines)
        if compiled.entry == .command { CGI.applyHeaders(to: &output) }
        return output
    }

    /// A trap as the caller hears of it. The JavaScript runner logs an uncaught error as
    /// `JavaScript error: MESSAGE` before it traps: that message is the failure's.
    private static func failure(_ error: any Error, _ logs: [LogLine], _ limits: InvocationLimits, during stage: String?) -> InvocationFailure {
        let prefix = "JavaScript error: "
        if let line = logs.last(where: { $0.level == .error && $0.message.hasPrefix(prefix) }) {
            let message = line.message.dropFirst(prefix.count).split(separator: "\n").prefix(3).joined(separator: "\n")
            return InvocationFailure(StratusError(.guestFailure, code: "javascript_error", message), logs: logs)
        }
        let trap = error as? StratusError ?? trapError(error, limits)
        guard let stage else { return InvocationFailure(trap, logs: logs) }
        return InvocationFailure(StratusError(trap.kind, code: trap.code, "in \(stage): \(trap.message)"), logs: logs)
    }

    /// Idle instances are kept per function of an app, as the function's limits and name
    /// (standard WASI `argv[0]`) are its own.
    private static func poolKey(_ compiled: CompiledModule, _ invocation: Invocation) -> InstancePool.Key {
        if let key = invocation.poolKey, key.module == compiled.key { return key }
        return compiled.poolKey(app: invocation.value("app") ?? "", function: invocation.functionName)
    }

    /// Gives a pooled instance `limits`: its deadline, and a memory cap it must already fit.
    private func start(_ live: LiveInstance, _ limits: InvocationLimits) throws {
        live.limiter.limits = limits
        _ = try live.limiter.limitMemoryGrowth(to: live.context.memory?.byteCount ?? 0)
    }

    /// Runs guest code of `live` under `deadline`: stopped there when fuel is metered.
    private func preemptible<T>(_ live: LiveInstance, _ deadline: ContinuousClock.Instant, _ body: () throws -> T) rethrows -> T {
        guard limits.fuelMetering else { return try body() }
        let stop = Preemption(live.tank, until: deadline)
        defer { stop.disarm() }
        return try body()
    }

    /// Puts an instance that served an invocation back to its snapshot and into the pool, or
    /// lets it go when its state cannot be put back.
    private func release(_ live: LiveInstance, _ key: InstancePool.Key) {
        guard let snapshot = live.snapshot, live.files.isPristine, !live.limiter.grewTable, snapshot.restore() else {
            live.close()
            return
        }
        live.context.begin(Invocation(input: [], context: [:]), host: NoHost())
        pool.checkin(key, live, bytes: snapshot.memoryBytes)
    }

    /// Lets go of instances idle longer than the pool keeps them, every few seconds, so pools
    /// shrink even when no traffic comes to trim them on check-in. Stops with the engine.
    private static func trimPeriodically(_ pool: InstancePool, on queue: DispatchQueue) {
        queue.asyncAfter(deadline: .now() + .seconds(10)) { [weak pool] in
            guard let pool else { return }
            pool.trim()
            trimPeriodically(pool, on: queue)
        }
    }

    /// Makes an instance for the pool of `invocation`'s function in the background, so the next
    /// invocation that finds none idle does not wait for translation. Set-up (a reactor's
    /// `_initialize`) runs under the function's limits and with no grants.
    public func prewarm(_ compiled: CompiledModule, _ invocation: Invocation) {
        guard compiled.wasmtime == nil, compiled.state != nil, limits.pool.fillAhead, limits.pool.maxIdlePerFunction > 0 else { return }
        let key = Self.poolKey(compiled, invocation)
        let placeholder = Invocation(input: [], context: ["app": invocation.value("app") ?? "", "function": invocation.functionName],
                                     limits: InvocationLimits(timeout: invocation.limits.timeout, memoryBytes: invocation.limits.memoryBytes))
        fillQueue.async { [self] in
            guard pool.idleCount(key) == 0,
                  let live = try? instantiate(compiled, GuestContext(invocation: placeholder, host: NoHost(), limits: limits), ahead: true)
            else { return }
            pool.checkin(key, live, bytes: live.snapshot?.memoryBytes ?? 0)
        }
    }

    /// Makes an instance of `invocation`'s function now, its set-up run, and keeps it for the
    /// first invocation: a set-up that fails (a script that does not evaluate) fails here.
    public func prepare(_ compiled: CompiledModule, _ invocation: Invocation) throws(InvocationFailure) {
        let placeholder = Invocation(input: [], context: ["app": invocation.value("app") ?? "", "function": invocation.functionName],
                                     limits: invocation.limits, files: invocation.files)
        if let code = compiled.wasmtime, let tier = wasmtime {
            let context = GuestContext(invocation: placeholder, host: NoHost(), limits: limits)
            do {
                try tier.run(compiled, code, context: context, running: runningBytes, instantiated: instantiated, entry: false)
            } catch let setup as SetupFailure {
                throw Self.failure(setup.error, setup.logs, placeholder.limits, during: "its set-up")
            } catch {
                throw Self.failure(error, context.logs.lines, placeholder.limits, during: "its set-up")
            }
            return
        }
        let live: LiveInstance
        do {
            live = try instantiate(compiled, GuestContext(invocation: placeholder, host: NoHost(), limits: limits))
        } catch let setup as SetupFailure {
            throw Self.failure(setup.error, setup.logs, placeholder.limits, during: "its set-up")
        } catch {
            throw Self.failure(error, [], placeholder.limits, during: "its set-up")
        }
        if live.snapshot != nil, limits.pool.maxIdlePerFunction > 0 {
            pool.checkin(Self.poolKey(compiled, invocation), live, bytes: live.snapshot?.memoryBytes ?? 0)
        } else {
            live.close()
        }
    }

    /// A new instance of `compiled` whose host functions serve `context`, set up and ready for
    /// its entry: a reactor (a library built with a WASI libc) has run its `_initialize`.
    /// A poolable module's instance also gets its snapshot, taken here, before any invocation.
    func instantiate(_ compiled: CompiledModule, _ context: GuestContext, ahead: Bool = false) throws -> LiveInstance {
        made.add(1, ordering: .relaxed)
        let began = ContinuousClock.now
        let store = Store(engine: ahead ? fillEngine : engine)
        let limiter = MemoryCap(limits: context.invocation.limits)
        store.resourceLimiter = limiter
        let live = LiveInstance(context: context, store: store, limiter: limiter, stacks: ahead ? fillStacks : stacks)
        var imports = Imports()
        do {
            // Start functions, `_initialize` and a set-up are guest code: they stop at the deadline too.
            try preemptible(live, context.invocation.limits.deadline) {
                for item in compiled.module.imports {
                    if let function = HostTable.function(item.module, item.name) {
                        imports.define(module: item.module, name: item.name, function.wasmKitFunction(context, store: store))
                    }
                }
                for binding in compiled.bindings {
                    imports.define(module: binding.module, name: binding.name, boundFunction(binding, context, live, store: store))
                }
                if compiled.usesWASI {
                    try live.linkWASI(compiled.wasiImports, to: &imports, store: store)
                }
                let instance = try compiled.module.instantiate(store: store, imports: imports)
                live.instance = instance
                live.entry = instance.exports[function: compiled.entry.name]
                context.memory = instance.exports[memory: "memory"]
                if compiled.entry != .command, let initialize = instance.exports[function: "_initialize"] {
                    _ = try live.stacks.withStack { try initialize.invoke([], on: &$0) }
                }
                if let setup = compiled.setup, let function = instance.exports[function: setup.export] {
                    try context.runSetup(input: setup.input) { _ = try live.stacks.withStack { try function.invoke([], on: &$0) } }
                }
                if let state = compiled.state, live.files.isPristine {
                    live.snapshot = InstanceSnapshot(instance, state, like: compiled.images, releasing: ahead)
                    limiter.grewTable = false
                }
            }
        } catch {
            live.close()
            throw error
        }
        instantiated(.now - began)
        return live
    }

    /// A host function serving an import bound to another function of the app: the first call
    /// makes that function's instance, which lives until the importing invocation ends.
    private func boundFunction(_ binding: CompiledModule.Binding, _ context: GuestContext, _ importer: LiveInstance,
                               store: Store) -> Function {
        Function(store: store, parameters: binding.type.parameters, results: binding.type.results) { [unowned importer] _, arguments in
            let callee: LiveInstance
            if let live = importer.bound[binding.module] {
                callee = live
            } else {
                let target: BoundFunction
                switch context.host.bind(binding.module) {
                case .success(let found): target = found
                case .failure(.limit):
                    throw StratusError(.guestFailure, code: "call_depth", "`\(binding.module).\(binding.name)`: calls nest deeper than the call depth allows (limits.call_depth)")
                case .failure(let code):
                    throw StratusError(.guestFailure, code: "binding_failed", "`\(binding.module).\(binding.name)` is not available (\(code))")
                }
                // The callee's log lines join the importer's.
                let calleeContext = GuestContext(invocation: target.invocation, host: target.host, limits: self.limits, logs: context.logs)
                callee = try self.instantiate(target.module, calleeContext)
                importer.bound[binding.module] = callee
            }
            guard let function = callee.instance.exports[function: binding.name] else {
                throw StratusError(.internalFailure, code: "binding_failed", "`\(binding.module)` no longer exports `\(binding.name)`")
            }
            return try self.preemptible(callee, callee.context.invocation.limits.deadline) {
                try self.stacks.withStack { try function.invoke(arguments, on: &$0) }
            }
        }
    }

    // MARK: Helpers

    /// What a trap means for the user: WasmKit tells its kinds apart only by their text.
    private static func trapError(_ error: any Error, _ limits: InvocationLimits) -> StratusError {
        let text = firstLine(error)
        switch text {
        case "out of fuel":
            return limits.timeoutError()
        case "call stack exhausted":
            return StratusError(.guestFailure, code: "stack_overflow",
                                "the guest's call stack overflowed (recursion too deep); make it recurse less")
        default:
            return StratusError(.guestFailure, code: "guest_trap", text)
        }
    }

    static func firstLine(_ error: any Error) -> String {
        var text = "\(error)"
        if text.hasPrefix("Trap: ") { text.removeFirst(6) }
        return String(text.split(separator: "\n", maxSplits: 1).first ?? "")
    }

    private static func kind(_ descriptor: ImportDescriptor) -> String {
        switch descriptor {
        case .function: "function"
        case .table: "table"
        case .memory: "memory"
        case .global: "global"
        default: "tag"
        }
    }

    private static func isNumber(_ type: ValueType) -> Bool {
        switch type {
        case .i32, .i64, .f32, .f64: true
        default: false
        }
    }

    static func describe(_ type: FunctionType) -> String {
        "(\(type.parameters.map { "\($0)" }.joined(separator: ", "))) -> (\(type.results.map { "\($0)" }.joined(separator: ", ")))"
    }
}

/// A new instance's set-up failed: what went wrong, and what the guest logged first.
struct SetupFailure: Error {
    var error: any Error
    var logs: [LogLine]
}
