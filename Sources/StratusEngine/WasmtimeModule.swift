import CWasmtime
import WasmParser

/// A module compiled by wasmtime (Cranelift) and linked against the host table and WASI, ready
/// to instantiate: shared by every thread, as wasmtime's modules are.
final class WasmtimeModule: @unchecked Sendable {
    // Immutable once made; wasmtime's modules and pre-instances may be used from any thread.
    private let library: WasmtimeLibrary
    let module: OpaquePointer
    let pre: OpaquePointer
    /// What the module's memory starts at: an invocation allowed less is refused before it starts.
    let initialMemoryBytes: Int

    init(library: WasmtimeLibrary, module: OpaquePointer, pre: OpaquePointer, initialMemoryBytes: Int) {
        self.library = library
        self.module = module
        self.pre = pre
        self.initialMemoryBytes = initialMemoryBytes
    }

    /// The initial size of the module's first memory, defined or imported, read from its binary.
    static func initialMemoryBytes(of binary: [UInt8]) -> Int {
        var parser = Parser(bytes: binary)
        while let payload = try? parser.parseNext() {
            switch payload {
            case .importSection(let imports):
                for item in imports {
                    if case .memory(let type) = item.descriptor { return Int(clamping: type.min) << 16 }
                }
            case .memorySection(let memories):
                return memories.first.map { Int(clamping: $0.type.min) << 16 } ?? 0
            default: break
            }
        }
        return 0
    }

    deinit {
        library.api.instance_pre_delete(pre)
        library.api.module_delete(module)
    }
}
