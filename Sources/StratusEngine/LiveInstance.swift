import WasmKit
import WasmKitWASI
@_spi(WASIPlatform) import WASI

/// An instance serving one invocation, with what must be released when the invocation ends:
/// its WASI bridge (whose `deinit` crashes unless closed) and the instances of functions it
/// imports through module binding. Confined to the worker thread running the invocation.
final class LiveInstance {
    let context: GuestContext
    /// Set once instantiation succeeded.
    var instance: Instance!
    /// Instances of bound functions, by function name, made on first use.
    var bound: [String: LiveInstance] = [:]
    private var bridge: WASIBridgeToHost?
    private var stderr: OutputStream?

    init(context: GuestContext) {
        self.context = context
    }

    /// Links WASI preview 1 CGI style: standard input is the input, standard output the response
    /// body, standard error the log, and `api://input` / `api://output` name the same streams.
    func linkWASI(to imports: inout Imports, store: Store) throws {
        let invocation = context.invocation
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

    /// Moves what the guest wrote to standard error into the log.
    func flush() {
        stderr?.flush()
        for callee in bound.values { callee.flush() }
    }

    func close() {
        for callee in bound.values { callee.close() }
        bound = [:]
        // The store's host functions hold the context, and the context its memory: break the cycle.
        context.memory = nil
        stderr?.flush()
        try? bridge?.close()
        bridge = nil
    }
}
