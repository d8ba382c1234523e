import Crypto
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
    private let stacks: StackPool
    public let limits: EngineLimits
    /// The `wasi_snapshot_preview1` functions the bridge provides, with their types.
    private let wasiFunctions: [String: FunctionType]

    public init(limits: EngineLimits = EngineLimits()) {
        self.limits = limits
        engine = Engine(configuration: EngineConfiguration(memoryBoundsChecking: .software))
        stacks = StackPool(engine: engine)
        validationEngine = Engine(configuration: EngineConfiguration(compilationMode: .eager))
        // A throwaway bridge tells which WASI names and types exist.
        var functions: [String: FunctionType] = [:]
        if let bridge = try? WASIBridgeToHost() {
            for (name, function) in bridge.hostFunctions(capabilities: WASICapability.all) {
                functions[name] = function.type
            }
            try? bridge.close()
        }
        wasiFunctions = functions
    }

    // MARK: Deploy

    /// Turns `.wat` text into a binary module; `.wasm` bytes pass through.
    public static func binary(from bytes: [UInt8], path: String) throws -> [UInt8] {
        guard path.hasSuffix(".wat") else { return bytes }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StratusError(.badRequest, code: "module_invalid", "\(path): not UTF-8 text")
        }
        do {
            return try wat2wasm(text)
        } catch {
            throw StratusError(.badRequest, code: "module_invalid", "\(path): \(error)")
        }
    }

    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Parses, validates and checks the imports of a binary module, or returns the cached result
    /// for the same bytes. `entry` is the manifest's entry, if it names one; `path` names the file
    /// in errors.
    public func compile(_ bytes: [UInt8], entry: String? = nil, path: String) throws -> CompiledModule {
        let hash = Self.sha256(bytes)
        let key = "\(hash)#\(entry ?? "")"
        if let cached = cache[key] { return cached }
        func invalid(_ why: String) -> StratusError {
            StratusError(.badRequest, code: "module_invalid", "\(path): \(why)")
        }
        let module: Module
        do {
            module = try parseWasm(bytes: bytes)
        } catch {
            throw invalid("not a valid WebAssembly module: \(error)")
        }
        var usesWASI = false
        for item in module.imports {
            guard case .function(let typeIndex) = item.descriptor else {
                throw invalid("imports a \(Self.kind(item.descriptor)) `\(item.module).\(item.name)`; Stratus provides functions only")
            }
            let provided: FunctionType?
            switch item.module {
            case HostABI.stratusModule: provided = HostABI.stratus[item.name]
            case HostABI.compatModule: provided = HostABI.compat[item.name]
            case HostABI.wasiModule:
                provided = wasiFunctions[item.name]
                usesWASI = true
            default: provided = nil
            }
            guard let provided else {
                throw invalid("imports `\(item.module).\(item.name)`, which Stratus does not provide (ABI.md lists the host functions)")
            }
            guard let actual = module.functionType(at: typeIndex), actual == provided else {
                throw invalid("imports `\(item.module).\(item.name)` with type \(module.functionType(at: typeIndex).map(Self.describe) ?? "?"); Stratus provides \(Self.describe(provided))")
            }
        }
        let resolved = try resolveEntry(module, entry, invalid)
        let instance = try validate(module, invalid)
        guard let type = instance.exports[function: resolved.name]?.type, type.parameters.isEmpty, type.results.count <= 1 else {
            throw invalid("entry `\(resolved.name)` must take no parameters and return at most one value")
        }
        let compiled = CompiledModule(sha256: hash, entry: resolved, usesWASI: usesWASI, module: module)
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
    }

    // MARK: Invoke

    /// Runs one invocation in a fresh instance. Blocks the calling thread until the guest ends.
    public func invoke(_ compiled: CompiledModule, _ invocation: Invocation, host: any HostServices) throws(InvocationFailure) -> InvocationOutput {
        let context = GuestContext(invocation: invocation, host: host, limits: limits)
        let store = Store(engine: engine)
        var imports = Imports()
        var bridge: WASIBridgeToHost?
        var stderr: OutputStream?
        defer {
            // The store's host functions hold the context, and the context its memory: break the cycle.
            context.memory = nil
            stderr?.flush()
            try? bridge?.close()
        }
        do {
            for item in compiled.module.imports {
                let function: Function?
                switch item.module {
                case HostABI.stratusModule: function = context.stratusFunction(item.name, store: store)
                case HostABI.compatModule: function = context.compatFunction(item.name, store: store)
                default: function = nil
                }
                if let function { imports.define(module: item.module, name: item.name, function) }
            }
            if compiled.usesWASI {
                let errorStream = OutputStream(.log(context.logs))
                stderr = errorStream
                let fileSystem = try InvocationFileSystem(input: invocation.input, output: context.output)
                let options = WASIBridgeToHost.FileSystemOptions.custom { fileSystem }
                    .withStdio(stdin: InputStream(invocation.input), stdout: OutputStream(.body(context.output)), stderr: errorStream)
                    .withPreopens([.init(guestPath: InvocationFileSystem.apiDirectory, hostPath: InvocationFileSystem.apiDirectory)])
                let wasi = try WASIBridgeToHost(args: [invocation.functionName], environment: CGI.environment(for: invocation),
                                                fileSystem: options)
                bridge = wasi
                wasi.link(to: &imports, store: store)
            }
            let instance = try compiled.module.instantiate(store: store, imports: imports)
            context.memory = instance.exports[memory: "memory"]
            guard let entry = instance.exports[function: compiled.entry.name] else {
                throw StratusError(.internalFailure, code: "entry_missing", "entry \(compiled.entry.name) vanished")
            }
            do {
                // A reactor (a library built with a WASI libc) sets itself up in `_initialize`.
                if compiled.entry != .command, let initialize = instance.exports[function: "_initialize"] {
                    _ = try stacks.withStack { try initialize.invoke([], on: &$0) }
                }
                _ = try stacks.withStack { try entry.invoke([], on: &$0) }
            } catch let exit as WASIExitCode {
                guard exit.code == 0 else {
                    throw StratusError(.guestFailure, code: "guest_exit", "the program exited with status \(exit.code)")
                }
            }
        } catch let error as StratusError {
            stderr?.flush()
            throw InvocationFailure(error, logs: context.logs.lines)
        } catch {
            stderr?.flush()
            throw InvocationFailure(StratusError(.guestFailure, code: "guest_trap", Self.firstLine(error)), logs: context.logs.lines)
        }
        stderr?.flush()
        var output = InvocationOutput(status: context.status, headers: context.headers, body: context.output.bytes, logs: context.logs.lines)
        if compiled.entry == .command { CGI.applyHeaders(to: &output) }
        return output
    }

    // MARK: Helpers

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

    private static func describe(_ type: FunctionType) -> String {
        "(\(type.parameters.map { "\($0)" }.joined(separator: ", "))) -> (\(type.results.map { "\($0)" }.joined(separator: ", ")))"
    }
}
