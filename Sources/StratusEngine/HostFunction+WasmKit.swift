import WasmKit

/// How WasmKit binds the host table.
extension HostFunction {
    var wasmKitType: FunctionType {
        FunctionType(parameters: parameters.map { $0.type.wasmKit }, results: [result.wasmKit])
    }

    /// This function bound to `context`, for an instance in `store`.
    func wasmKitFunction(_ context: GuestContext, store: Store) -> Function {
        let type = wasmKitType
        let result = self.result
        return Function(store: store, parameters: type.parameters, results: type.results, raw: { _, values, out in
            var arguments = HostArguments()
            for index in values.indices {
                switch values[index] {
                case .i32(let value): arguments[index] = UInt64(value)
                case .i64(let value): arguments[index] = value
                default: break
                }
            }
            let bits = try self.call(context, arguments)
            out[0] = result == .i32 ? .i32(UInt32(truncatingIfNeeded: bits)) : .i64(bits)
        })
    }
}

extension ABIType {
    var wasmKit: ValueType {
        switch self {
        case .i32: .i32
        case .i64: .i64
        }
    }
}

extension Memory: GuestMemoryView {
    func withBytes<T>(offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        try withUnsafeMutableBufferPointer(offset: UInt(offset), count: count, body)
    }
}
