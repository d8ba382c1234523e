import CWasmtime
import StratusModel
import WasmKit
@_spi(WASIPlatform) import WASI

/// A host function as the wasmtime linker defines it, once per engine: a function of the host
/// table or of WASI. When a guest calls it, it finds the invocation it serves through the
/// store's data (``WasmtimeRun``).
final class HostBinding {
    enum Kind {
        case host(HostFunction)
        /// The WASI function at this index of the tier's names, with its type.
        case wasi(Int, FunctionType)
    }

    private let library: WasmtimeLibrary
    private let kind: Kind
    private let module: String
    private let name: String
    private let parameters: [UInt8]
    private let results: [UInt8]

    init(library: WasmtimeLibrary, kind: Kind, module: String, name: String, parameters: [UInt8], results: [UInt8]) {
        self.library = library
        self.kind = kind
        self.module = module
        self.name = name
        self.parameters = parameters
        self.results = results
    }

    /// Defines the function in `linker`, which holds on to this binding until it goes.
    func define(in linker: OpaquePointer) throws {
        let api = library.api
        var params = wasm_valtype_vec_t(), outs = wasm_valtype_vec_t()
        let paramTypes = parameters.map { api.valtype_new($0) }
        let resultTypes = results.map { api.valtype_new($0) }
        paramTypes.withUnsafeBufferPointer { api.valtype_vec_new(&params, $0.count, $0.baseAddress) }
        resultTypes.withUnsafeBufferPointer { api.valtype_vec_new(&outs, $0.count, $0.baseAddress) }
        let type = api.functype_new(&params, &outs)
        defer { api.functype_delete(type) }
        let env = Unmanaged.passRetained(self).toOpaque()
        let error = api.linker_define_func_unchecked(linker, module, module.utf8.count, name, name.utf8.count, type, { env, caller, values, _ in
            Unmanaged<HostBinding>.fromOpaque(env!).takeUnretainedValue().call(caller!, values!)
        }, env, { env in Unmanaged<HostBinding>.fromOpaque(env!).release() })
        if let error {
            throw WasmtimeRefusal(reason: "\(module).\(name): \(library.message(error))")
        }
    }

    /// Serves a guest's call: arguments in `values`, results written back over them. A host
    /// error becomes a trap, and the run keeps the error for the caller to report.
    private func call(_ caller: OpaquePointer, _ values: UnsafeMutablePointer<wasmtime_val_raw_t>) -> OpaquePointer? {
        let api = library.api
        let run = Unmanaged<WasmtimeRun>.fromOpaque(api.context_get_data(api.caller_context(caller))!).takeUnretainedValue()
        do {
            switch kind {
            case .host(let function):
                var arguments = HostArguments()
                for index in parameters.indices {
                    arguments[index] = parameters[index] == UInt8(STRATUS_VALKIND_I64)
                        ? UInt64(bitPattern: values[index].i64) : UInt64(UInt32(bitPattern: values[index].i32))
                }
                let bits = try function.call(run.context, arguments)
                if results[0] == UInt8(STRATUS_VALKIND_I64) {
                    values[0].i64 = Int64(bitPattern: bits)
                } else {
                    values[0].i32 = Int32(truncatingIfNeeded: bits)
                }
            case .wasi(let index, let type):
                guard let function = run.wasi[index] else {
                    throw StratusError(.guestFailure, code: "guest_trap", "\(module).\(name) is not linked")
                }
                guard let memory = run.memory else {
                    throw WASIError(description: "the module exports no memory named \"memory\", which WASI needs")
                }
                var arguments: [Value] = []
                arguments.reserveCapacity(type.parameters.count)
                for (index, parameter) in type.parameters.enumerated() {
                    arguments.append(Self.value(values[index], parameter))
                }
                for (index, result) in try function(memory, arguments).enumerated() {
                    Self.store(result, into: &values[index])
                }
            }
            return nil
        } catch {
            run.hostError = error
            return api.trap_new(name, name.utf8.count)
        }
    }

    private static func value(_ raw: wasmtime_val_raw_t, _ type: ValueType) -> Value {
        switch type {
        case .i64: .i64(UInt64(bitPattern: raw.i64))
        case .f32: .f32(raw.f32.bitPattern)
        case .f64: .f64(raw.f64.bitPattern)
        default: .i32(UInt32(bitPattern: raw.i32))
        }
    }

    private static func store(_ value: Value, into raw: inout wasmtime_val_raw_t) {
        switch value {
        case .i32(let bits): raw.i32 = Int32(bitPattern: bits)
        case .i64(let bits): raw.i64 = Int64(bitPattern: bits)
        case .f32(let bits): raw.f32 = Float(bitPattern: bits)
        case .f64(let bits): raw.f64 = Double(bitPattern: bits)
        default: break
        }
    }
}
