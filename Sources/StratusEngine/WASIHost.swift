import WasmKit

/// What serves a WASI guest on wasmtime besides its instance: the invocation's context, the
/// WASI session reading it, and the session's functions as the linker's WASI bindings find
/// them. Kept between invocations of a function while its file table stays as it was, since
/// making a session costs more than the instance.
final class WASIHost: @unchecked Sendable {
    // Used by one thread at a time: the pool hands it to one invocation.
    let context: GuestContext
    let session: WASISession
    /// By the index of the tier's WASI names.
    let functions: [((WasmtimeMemory, [Value]) throws -> [Value])?]

    init(context: GuestContext, imports: Set<String>, names: [String]) throws {
        self.context = context
        session = try WASISession(context: context, files: FileTableWatch())
        let byName = session.functions(imports, memory: WasmtimeMemory.self)
        functions = names.map { byName[$0] }
    }

    /// Serves `invocation` next.
    func begin(_ invocation: consuming Invocation, host: any HostServices) {
        context.begin(invocation, host: host)
        session.rewind()
    }
}
