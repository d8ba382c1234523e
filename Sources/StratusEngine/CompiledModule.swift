import WasmKit

/// A module parsed and validated once, at deploy, and shared by every invocation.
public struct CompiledModule: Sendable {
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

    /// Hex sha256 of the binary module.
    public let sha256: String
    public let entry: Entry
    /// Whether the module imports WASI and needs a bridge per instance.
    public let usesWASI: Bool
    let module: Module
}
