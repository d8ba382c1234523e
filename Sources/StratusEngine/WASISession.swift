import WasmKit
import WasmKitWASI
@_spi(WASIPlatform) import WASI

/// WASI preview 1 for one instance, CGI style, whichever engine runs it: standard input is the
/// input, standard output the response body, standard error the log, `api://input` and
/// `api://output` name the same streams, and `/app` holds the app's files. The streams read
/// the context, so they follow it from one invocation to the next; the environment is the
/// current invocation's too, served here rather than by the bridge. Close it when the
/// instance goes: the bridge's `deinit` crashes unless closed.
final class WASISession {
    let files: FileTableWatch
    private let bridge: WASIBridgeToHost
    private let stdin: InputStream
    private let stderr: OutputStream
    private let context: GuestContext

    init(context: GuestContext, files: FileTableWatch) throws {
        self.context = context
        self.files = files
        stdin = InputStream(context, .standard, watch: files)
        stderr = OutputStream(context, .log, .standard, watch: files)
        let fileSystem = try InvocationFileSystem(context: context, watch: files)
        let options = WASIBridgeToHost.FileSystemOptions.custom { fileSystem }
            .withStdio(stdin: stdin, stdout: OutputStream(context, .body, .standard, watch: files), stderr: stderr)
            .withPreopens([.init(guestPath: InvocationFileSystem.apiDirectory, hostPath: InvocationFileSystem.apiDirectory),
                           .init(guestPath: AppFiles.mountPoint, hostPath: AppFiles.mountPoint)])
        bridge = try WASIBridgeToHost(args: [context.invocation.functionName], environment: [:], fileSystem: options)
    }

    /// The functions named in `names` (only those: each is an allocation per instance), for a
    /// guest memory of type `M`.
    func functions<M: WasmTypes.GuestMemory & SendableMetatype>(_ names: Set<String>, memory: M.Type)
        -> [String: (M, [Value]) throws -> [Value]] {
        var functions: [String: (M, [Value]) throws -> [Value]] = [:]
        for (name, function) in bridge.hostFunctions(capabilities: WASICapability<M>.all) where names.contains(name) {
            switch name {
            case "environ_get", "environ_sizes_get":
                let environment = CGI.environmentFunction(name, context)
                functions[name] = { _, values in environment(values) }
            case "fd_renumber":
                // Moves a descriptor the next invocation would expect where it was.
                functions[name] = { [files] memory, values in
                    files.change()
                    return try function.implementation(memory, values)
                }
            default:
                functions[name] = function.implementation
            }
        }
        return functions
    }

    /// Starts serving another invocation: standard input reads from its start.
    func rewind() {
        stdin.rewind()
    }

    /// Moves what the guest wrote to standard error into the log.
    func flush() {
        stderr.flush()
    }

    func close() {
        stderr.flush()
        try? bridge.close()
    }

    /// A session still kept when its keeper goes (an idle host of an engine let go) closes here.
    deinit {
        try? bridge.close()
    }
}
