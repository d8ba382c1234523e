import CWasmtime
import Foundation
import StratusModel
import WasmKit
@_spi(WASIPlatform) import WASI

/// One invocation on wasmtime: a store of its own, the context its host functions serve, and
/// what went wrong in the host while the guest ran. The store's data points here, which is how
/// the host functions, defined once per engine, find the invocation they serve.
final class WasmtimeRun {
    let library: WasmtimeLibrary
    let context: GuestContext
    let store: OpaquePointer
    let storeContext: OpaquePointer
    /// WASI functions by the index the linker gave them; empty when the module imports none.
    var wasi: [((WasmtimeMemory, [Value]) throws -> [Value])?] = []
    /// The guest's `memory`, once instantiated.
    var memory: WasmtimeMemory?
    /// The error a host function threw: the trap it caused reports it.
    var hostError: (any Error)?

    init(library: WasmtimeLibrary, engine: OpaquePointer, context: GuestContext) {
        self.library = library
        self.context = context
        store = library.api.store_new(engine, nil, nil)!
        storeContext = library.api.store_context(store)!
        library.api.context_set_data(storeContext, Unmanaged.passUnretained(self).toOpaque())
        library.api.store_epoch_deadline_callback(store, { _, data, delta, kind in
            Unmanaged<WasmtimeRun>.fromOpaque(data!).takeUnretainedValue().deadlineReached(delta!, kind!)
        }, Unmanaged.passUnretained(self).toOpaque(), nil)
    }

    /// The epoch deadline passed. The ticker may run ahead of the clock for a moment (it
    /// catches up after a late wake), so the clock decides: before the invocation's deadline
    /// the guest goes on until a new epoch deadline, past it it stops with `timeout`.
    private func deadlineReached(_ delta: UnsafeMutablePointer<UInt64>, _ kind: UnsafeMutablePointer<UInt8>) -> OpaquePointer? {
        let limits = context.invocation.limits
        let ticks = EpochTicker.ticks(until: limits.deadline)
        guard ticks == 0 else {
            delta.pointee = ticks
            kind.pointee = 0
            return nil
        }
        hostError = limits.timeoutError()
        return library.api.error_new("timeout")
    }

    /// The memory the guest exports as `memory`, once instantiated.
    func memory(of instance: inout wasmtime_instance_t) -> WasmtimeMemory? {
        var item = wasmtime_extern_t()
        guard library.api.instance_export_get(storeContext, &instance, "memory", 6, &item), item.kind == STRATUS_EXTERN_MEMORY else {
            return nil
        }
        return WasmtimeMemory(library: library, context: storeContext, memory: item.of.memory)
    }

    func function(_ name: String, of instance: inout wasmtime_instance_t) -> wasmtime_func_t? {
        var item = wasmtime_extern_t()
        let found = name.utf8CString.withUnsafeBufferPointer {
            library.api.instance_export_get(storeContext, &instance, $0.baseAddress, $0.count - 1, &item)
        }
        guard found, item.kind == STRATUS_EXTERN_FUNC else { return nil }
        return item.of.func
    }

    /// Calls `function`, which takes no parameters and returns at most one value; throws what
    /// stopped it.
    func call(_ function: wasmtime_func_t, limits: InvocationLimits) throws {
        var function = function
        var values = [wasmtime_val_raw_t](repeating: wasmtime_val_raw_t(), count: 1)
        var trap: OpaquePointer?
        let error = library.api.func_call_unchecked(storeContext, &function, &values, 1, &trap)
        try check(error, trap, limits)
    }

    /// Throws the failure an instantiation or call ended with, if any.
    func check(_ error: OpaquePointer?, _ trap: OpaquePointer?, _ limits: InvocationLimits) throws {
        if let error {
            defer { library.api.error_delete(error) }
            if let hostError = take() { throw hostError }
            throw StratusError(.guestFailure, code: "guest_trap", Self.firstLine(library.message(error)))
        }
        guard let trap else { return }
        defer { library.api.trap_delete(trap) }
        if let hostError = take() { throw hostError }
        var code: UInt8 = 0
        if library.api.trap_code(trap, &code) {
            switch Int32(code) {
            case STRATUS_TRAP_CODE_INTERRUPT, STRATUS_TRAP_CODE_OUT_OF_FUEL:
                throw limits.timeoutError()
            case STRATUS_TRAP_CODE_STACK_OVERFLOW:
                throw StratusError(.guestFailure, code: "stack_overflow", "the guest's call stack overflowed (recursion too deep); make it recurse less")
            default: break
            }
        }
        throw StratusError(.guestFailure, code: "guest_trap", Self.firstLine(library.trapMessage(trap)))
    }

    private func take() -> (any Error)? {
        defer { hostError = nil }
        return hostError
    }

    /// What a trap was, from wasmtime's message: a backtrace, then `wasm trap: WHAT` among the
    /// causes; else its first line.
    private static func firstLine(_ text: String) -> String {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if let trap = lines.first(where: { $0.hasPrefix("wasm trap: ") }) { return String(trap.dropFirst(11)) }
        return lines.first ?? text
    }

    func close() {
        context.memory = nil
        library.api.store_delete(store)
    }
}
