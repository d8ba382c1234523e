/// The `my-own-cluster` compatibility module (docs/ABI.md): guests written for that platform.
extension HostTable {
    static let compat: [HostFunction] = [
        HostFunction(compatModule, "test", [], .i32 { _, _ in 0 }),
        HostFunction(compatModule, "print_debug", [.i32("ptr"), .i32("len")], .i32 { c, a in
            guard let bytes = c.readBytes(a.range(0)) else { return ABICode.invalid.rawValue }
            c.logs.append(.debug, String(decoding: bytes, as: UTF8.self))
            return 0
        }),
        HostFunction(compatModule, "register_buffer", [.i32("ptr"), .i32("len")], .i32 { c, a in
            c.readBytes(a.range(0)).map { c.makeBuffer($0) } ?? ABICode.invalid.rawValue
        }),
        HostFunction(compatModule, "get_buffer_size", [.i32("id")], .i32 { c, a in c.bufferLength(a.s32(0)) }),
        HostFunction(compatModule, "get_buffer", [.i32("id"), .i32("ptr"), .i32("len")], .i32 { c, a in
            guard let buffer = c.buffer(a.s32(0)) else { return ABICode.badHandle.rawValue }
            return c.copyOut(buffer.bytes, from: 0, to: a.u32(1), cap: a.u32(2))
        }),
        HostFunction(compatModule, "write_buffer", [.i32("id"), .i32("ptr"), .i32("len")], .i32 { c, a in
            guard let failure = c.withGuestBytes(a.range(1), { c.appendToBuffer(a.s32(0), UnsafeRawBufferPointer($0)) }) else {
                return ABICode.invalid.rawValue
            }
            return failure?.rawValue ?? a.s32(2)
        }),
        HostFunction(compatModule, "write_buffer_header", [.i32("id"), .i32("name_ptr"), .i32("name_len"), .i32("value_ptr"), .i32("value_len")],
                     .i32 { c, a in
            let handle = a.s32(0)
            guard c.buffer(handle) != nil else { return ABICode.badHandle.rawValue }
            guard let header = c.header(name: a.range(1), value: a.range(3)) else { return ABICode.invalid.rawValue }
            if handle == c.outputHandle {
                c.addHeader(header)
            } else {
                c.setMeta(handle, "header.\(header.name.lowercased())", header.value)
            }
            return 0
        }),
        HostFunction(compatModule, "free_buffer", [.i32("id")], .i32 { c, a in c.freeBuffer(a.s32(0)) }),
        HostFunction(compatModule, "get_input_buffer_id", [], .i32 { c, _ in c.inputBufferHandle() }),
        HostFunction(compatModule, "get_output_buffer_id", [], .i32 { c, _ in c.outputBufferHandle() }),
        HostFunction(compatModule, "get_url", [.i32("ptr"), .i32("len")], waits: true, .i32 { c, a in
            guard let url = c.readString(a.range(0)) else { return ABICode.invalid.rawValue }
            return c.fetch(method: "GET", url: url, body: [])
        }),
    ]
}
