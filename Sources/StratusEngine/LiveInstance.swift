import WasmKit
import WasmKitWASI
@_spi(WASIPlatform) import WASI

/// An instance with what must be released when it goes: its WASI bridge (whose `deinit`
/// crashes unless closed) and the instances of functions it imports through module binding.
/// A fresh instance serves one invocation; a pooled one serves many, one at a time, its
/// context started afresh and its state put back to its snapshot between them. Used by one
/// thread at a time.
final class LiveInstance {
    let context: GuestContext
    let store: Store
    /// How the store is stopped at a deadline (see ``Preemption``).
    let tank: Preemption.Tank
    let limiter: MemoryCap
    /// The execution stacks of the engine that made the instance.
    let stacks: StackPool
    /// Set once instantiation succeeded.
    var instance: Instance!
    /// The export each invocation runs, looked up once.
    var entry: Function?
    /// The state right after set-up, when the instance is pooled.
    var snapshot: InstanceSnapshot?
    /// Instances of bound functions, by function name, made on first use.
    var bound: [String: LiveInstance] = [:]
    let files = FileTableWatch()
    private var wasi: WASISession?

    init(context: GuestContext, store: Store, limiter: MemoryCap, stacks: StackPool) {
        tank = Preemption.Tank(store: store)
        self.context = context
        self.store = store
        self.limiter = limiter
        self.stacks = stacks
    }

    /// Links WASI preview 1 (see ``WASISession``): the functions of `names`.
    func linkWASI(_ names: Set<String>, to imports: inout Imports, store: Store) throws {
        let session = try WASISession(context: context, files: files)
        wasi = session
        for (name, implementation) in session.functions(names, memory: Memory.self) {
            guard let type = WasmEngine.wasiTypes[name] else { continue }
            imports.define(module: HostTable.wasiModule, name: name, Function(store: store, type: type) { caller, values in
                try implementation(Self.memory(of: caller), values)
            })
        }
    }

    private static func memory(of caller: borrowing Caller) throws -> Memory {
        guard case .memory(let memory) = caller.instance?.export("memory") else {
            throw WASIError(description: "the module exports no memory named \"memory\", which WASI needs")
        }
        return memory
    }

    /// Starts serving `invocation` on a pooled instance.
    func begin(_ invocation: consuming Invocation, host: any HostServices) {
        context.begin(invocation, host: host)
        wasi?.rewind()
    }

    /// Moves what the guest wrote to standard error into the log.
    func flush() {
        wasi?.flush()
        for callee in bound.values { callee.flush() }
    }

    /// An instance a pool still held when the engine went away closes here.
    deinit {
        close()
    }

    func close() {
        snapshot?.stopTracking()
        for callee in bound.values { callee.close() }
        bound = [:]
        // The store's host functions hold the context, and the context its memory: break the cycle.
        context.memory = nil
        wasi?.close()
        wasi = nil
    }
}
