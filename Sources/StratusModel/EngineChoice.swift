/// Which engine runs guests: `stratus serve --engine` for the server, `limits.engine` in a
/// manifest for one function.
public enum EngineChoice: String, Sendable, CaseIterable {
    /// wasmtime when its library loads and it runs the module, else WasmKit.
    case auto
    /// The compiling tier: wasmtime (Cranelift), loaded at run time.
    case wasmtime
    /// The pure-Swift interpreter, which needs nothing installed.
    case wasmkit
}
