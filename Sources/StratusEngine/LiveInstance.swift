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
    private var bridge: WASIBridgeToHost?
    private var stdin: InputStream?
    private var stderr: OutputStream?

    init(context: GuestContext, store: Store, limiter: MemoryCap, stacks: StackPool) {
        tank = Preemption.Tank(store: store)
        self.context = context
        self.store = store
        self.limiter = limiter
        self.stacks = stacks
    }

    /// Links WASI preview 1 CGI style: standard input is the input, standard output the response
    /// body, standard error the log, and `api://input` / `api://output` name the same streams.
    /// The streams read the context, so they follow it from one invocation to the next; the
    /// environment is the current invocation's too, served here rather than by the bridge.
    func linkWASI(_ names: Set<String>, to imports: inout Imports, store: Store) throws {
        let input = InputStream(context, .standard, watch: files)
        let errorStream = OutputStream(context, .log, .standard, watch: files)
        stdin = input
        stderr = errorStream
        let fileSystem = try InvocationFileSystem(context: context, watch: files)
        let options = WASIBridgeToHost.FileSystemOptions.custom { fileSystem }
            .withStdio(stdin: input, stdout: OutputStream(context, .body, .standard, watch: files), stderr: errorStream)
            .withPreopens([.init(guestPath: InvocationFileSystem.apiDirectory, hostPath: InvocationFileSystem.apiDirectory),
                           .init(guestPath: AppFiles.mountPoint, hostPath: AppFiles.mountPoint)])
        let wasi = try WASIBridgeToHost(args: [context.invocation.functionName], environment: [:], fileSystem: options)
        bridge = wasi
        // Only what the module imports: each host function is an allocation per instance.
        for (name, function) in wasi.hostFunctions(capabilities: WASICapability.all) where names.contains(name) {
            let implementation: Function.Implementation
            switch name {
            case "environ_get", "environ_sizes_get":
                implementation = CGI.environmentFunction(name, context)
            case "fd_renumber":
                // Moves a descriptor the next invocation would expect where it was.
                implementation = { [files] caller, values in
                    files.change()
                    return try function.implementation(Self.memory(of: caller), values)
                }
            default:
                implementation = { caller, values in try function.implementation(Self.memory(of: caller), values) }
            }
            imports.define(module: HostTable.wasiModule, name: name, Function(store: store, type: function.type, body: implementation))
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
        stdin?.rewind()
    }

    /// Moves what the guest wrote to standard error into the log.
    func flush() {
        stderr?.flush()
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
        stderr?.flush()
        try? bridge?.close()
        bridge = nil
    }
}
