import StratusModel
import WasmKit

/// A module parsed and validated once, at deploy, and shared by every invocation. A class:
/// every invocation looks it up, and copying a struct of this size costs a retain a field.
public final class CompiledModule: Sendable {
    /// How the module is started.
    public enum Entry: Sendable, Equatable {
        /// An export with no parameters using the `stratus` ABI (`handle` or a named one).
        case export(String)
        /// A WASI command's `_start`, run CGI style.
        case command

        /// The export name the entry runs.
        public var name: String {
            switch self {
            case .export(let name): name
            case .command: "_start"
            }
        }
    }

    /// An import served by another function of the app (module binding): the function named
    /// `module`, its export `name`, with this exact type.
    public struct Binding: Sendable, Equatable {
        public var module: String
        public var name: String
        public var type: FunctionType
    }

    /// Hex sha256 of the binary module.
    public let sha256: String
    /// What the engine's cache knows it by: the hash, the entry and the bindable names.
    let key: String
    public let entry: Entry
    /// The WASI functions the module imports; when any, each instance needs a bridge.
    let wasiImports: Set<String>
    public var usesWASI: Bool { !wasiImports.isEmpty }
    /// Imports from other functions of the app, which the platform checks against their exports.
    public let bindings: [Binding]
    /// The exported functions and their types.
    let exports: [String: FunctionType]
    /// The module instances are made from: when `state` is set, rewritten to export its state.
    let module: Module
    /// How a pooled instance's state is reached; nil when instances cannot be pooled (module
    /// binding, passive segments), and each invocation gets a fresh one.
    let state: StateExports?
    /// Set-up each new instance runs before its snapshot: an export called once with this input
    /// (a JavaScript function's script, evaluated by the runner's `js_init`).
    let setup: Setup?
    /// The memory images of the first snapshot, shared by later instances whose state is the same.
    let images = SnapshotImages()
    /// The module as wasmtime compiled it, when wasmtime runs its invocations.
    let wasmtime: WasmtimeModule?

    /// The engine that runs the module's invocations: `.wasmtime` or `.wasmkit`.
    public var engine: EngineChoice { wasmtime == nil ? .wasmkit : .wasmtime }

    public struct Setup: Sendable {
        public var export: String
        public var input: [UInt8]

        public init(export: String, input: [UInt8]) {
            self.export = export
            self.input = input
        }
    }

    init(sha256: String, key: String, entry: Entry, wasiImports: Set<String>, bindings: [Binding], exports: [String: FunctionType],
         module: Module, state: StateExports?, setup: Setup?, wasmtime: WasmtimeModule?) {
        self.sha256 = sha256
        self.key = key
        self.entry = entry
        self.wasiImports = wasiImports
        self.bindings = bindings
        self.exports = exports
        self.module = module
        self.state = state
        self.setup = setup
        self.wasmtime = wasmtime
    }

    /// The same module with `setup`, known to the pools by `key`.
    func with(_ setup: Setup, key: String) -> CompiledModule {
        CompiledModule(sha256: sha256, key: key, entry: entry, wasiImports: wasiImports, bindings: bindings, exports: exports,
                       module: module, state: state, setup: setup, wasmtime: wasmtime)
    }

    /// Where the engine pools the instances of `function` of `app` made from this module.
    public func poolKey(app: String, function: String) -> PoolKey {
        PoolKey(app: app, function: function, module: key)
    }

    /// Why the export `binding` asks for cannot serve it, or nil when it can.
    public func mismatch(serving binding: Binding) -> String? {
        guard let type = exports[binding.name] else {
            let names = exports.keys.sorted().joined(separator: ", ")
            return "function `\(binding.module)` exports no function `\(binding.name)` (it exports \(names))"
        }
        guard type == binding.type else {
            return "`\(binding.module).\(binding.name)` is imported as \(WasmEngine.describe(binding.type)) but exported as \(WasmEngine.describe(type))"
        }
        return nil
    }
}
