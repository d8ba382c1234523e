import WasmKit

/// Host functions of the `my-own-cluster` compatibility module (docs/ABI.md), bound to one invocation.
extension GuestContext {
    func compatFunction(_ name: String, store: Store) -> Function? {
        guard let type = HostABI.compat[name] else { return nil }
        let body: (UnsafeBufferPointer<Value>) -> Int32
        switch name {
        case "test":
            body = { _ in 0 }
        case "print_debug":
            body = { p in
                guard let bytes = self.readBytes(p[0].i32, p[1].i32) else { return ABICode.invalid.rawValue }
                self.logs.append(.debug, String(decoding: bytes, as: UTF8.self))
                return 0
            }
        case "register_buffer":
            body = { p in self.readBytes(p[0].i32, p[1].i32).map { self.makeBuffer($0) } ?? ABICode.invalid.rawValue }
        case "get_buffer_size":
            body = { p in self.bufferLength(s(p[0])) }
        case "get_buffer":
            body = { p in
                guard let buffer = self.buffer(s(p[0])) else { return ABICode.badHandle.rawValue }
                return self.copyOut(buffer.bytes, from: 0, to: p[1].i32, cap: p[2].i32)
            }
        case "write_buffer":
            body = { p in
                let result = self.withGuestBytes(p[1].i32, p[2].i32) { self.appendToBuffer(s(p[0]), UnsafeRawBufferPointer($0)) }
                guard let result else { return ABICode.invalid.rawValue }
                return result?.rawValue ?? s(p[2])
            }
        case "write_buffer_header":
            body = { p in
                let handle = s(p[0])
                guard self.buffer(handle) != nil else { return ABICode.badHandle.rawValue }
                guard let header = self.header(name: (p[1].i32, p[2].i32), value: (p[3].i32, p[4].i32)) else { return ABICode.invalid.rawValue }
                if handle == self.outputHandle {
                    self.addHeader(header)
                } else {
                    self.setMeta(handle, "header.\(header.name.lowercased())", header.value)
                }
                return 0
            }
        case "free_buffer":
            body = { p in self.freeBuffer(s(p[0])) }
        case "get_input_buffer_id":
            body = { _ in self.inputBufferHandle() }
        case "get_output_buffer_id":
            body = { _ in self.outputBufferHandle() }
        case "get_url":
            body = { p in
                guard let url = self.readString(p[0].i32, p[1].i32) else { return ABICode.invalid.rawValue }
                switch self.host.httpFetch(method: "GET", url: url, body: []) {
                case .success(let reply): return self.makeBuffer(reply.body, meta: Self.meta(status: reply.status, headers: reply.headers))
                case .failure(let code): return code.rawValue
                }
            }
        default:
            return nil
        }
        return i32Function(store: store, type: type, waits: name == "get_url", body)
    }
}
