import CWasmtime
import WasmKit

/// A wasmtime instance's exported memory, read through the C API at each access: its data may
/// move when it grows.
struct WasmtimeMemory: GuestMemoryView, WasmTypes.GuestMemory {
    let library: WasmtimeLibrary
    let context: OpaquePointer
    let memory: wasmtime_memory_t

    var byteCount: Int {
        withUnsafePointer(to: memory) { library.api.memory_data_size(context, $0) }
    }

    func withBytes<T>(offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        let base = withUnsafePointer(to: memory) { library.api.memory_data(context, $0) }
        return try body(UnsafeMutableRawBufferPointer(start: base.map { UnsafeMutableRawPointer($0 + offset) }, count: count))
    }

    /// For WASI, which checks its own bounds first.
    func withUnsafeMutableBufferPointer<T>(offset: UInt, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        precondition(Int(offset) + count <= byteCount, "WASI read past the guest's memory")
        return try withBytes(offset: Int(offset), count: count, body)
    }
}
