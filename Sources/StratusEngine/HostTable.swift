import Foundation

/// Every host function Stratus provides, by import module and name (docs/ABI.md). A module
/// importing anything else (but WASI and functions of its own app) is refused at deploy.
enum HostTable {
    static let stratusModule = "stratus"
    static let compatModule = "my-own-cluster"
    static let wasiModule = "wasi_snapshot_preview1"

    static let all: [HostFunction] = stratus + keyValue + compat

    /// The function `module.name` provides, if any.
    static func function(_ module: String, _ name: String) -> HostFunction? {
        byName[module]?[name]
    }

    /// Whether the table serves imports from `module`.
    static func serves(_ module: String) -> Bool { byName[module] != nil }

    private static let byName: [String: [String: HostFunction]] = {
        var table: [String: [String: HostFunction]] = [:]
        for function in all {
            precondition(table[function.module]?[function.name] == nil, "\(function.module).\(function.name) declared twice")
            table[function.module, default: [:]][function.name] = function
        }
        return table
    }()

    /// The `stratus` module but its key-value functions (``keyValue``).
    static let stratus: [HostFunction] = [
        HostFunction(stratusModule, "buf_len", [.i32("h")], .i32 { c, a in c.bufferLength(a.s32(0)) }),
        HostFunction(stratusModule, "buf_read", [.i32("h"), .i32("offset"), .i32("ptr"), .i32("cap")], .i32 { c, a in
            guard let buffer = c.buffer(a.s32(0)) else { return ABICode.badHandle.rawValue }
            return c.copyOut(buffer.bytes, from: a.u32(1), to: a.u32(2), cap: a.u32(3))
        }),
        HostFunction(stratusModule, "buf_free", [.i32("h")], .i32 { c, a in c.freeBuffer(a.s32(0)) }),
        HostFunction(stratusModule, "buf_meta", [.i32("h"), .i32("name_ptr"), .i32("name_len")], .i32 { c, a in
            guard let buffer = c.buffer(a.s32(0)) else { return ABICode.badHandle.rawValue }
            guard let name = c.readString(a.range(1)) else { return ABICode.invalid.rawValue }
            guard let value = buffer.meta[name.lowercased()] else { return ABICode.notFound.rawValue }
            return c.makeBuffer(Array(value.utf8))
        }),
        HostFunction(stratusModule, "input", [], .i32 { c, _ in c.makeBuffer(c.invocation.input) }),
        HostFunction(stratusModule, "ctx", [.i32("name_ptr"), .i32("name_len")], .i32 { c, a in
            guard let name = c.readString(a.range(0)) else { return ABICode.invalid.rawValue }
            guard let value = c.contextValue(name) else { return ABICode.notFound.rawValue }
            return c.makeBuffer(Array(value.utf8))
        }),
        HostFunction(stratusModule, "out_write", [.i32("ptr"), .i32("len")], .i32 { c, a in
            guard let written = c.withGuestBytes(a.range(0), { c.output.append(UnsafeRawBufferPointer($0)) }) else {
                return ABICode.invalid.rawValue
            }
            return written ? 0 : ABICode.tooLarge.rawValue
        }),
        HostFunction(stratusModule, "out_status", [.i32("code")], .i32 { c, a in
            let code = a.s32(0)
            guard (100...599).contains(code) else { return ABICode.invalid.rawValue }
            c.status = Int(code)
            return 0
        }),
        HostFunction(stratusModule, "out_header", [.i32("name_ptr"), .i32("name_len"), .i32("value_ptr"), .i32("value_len")], .i32 { c, a in
            guard let header = c.header(name: a.range(0), value: a.range(2)) else { return ABICode.invalid.rawValue }
            c.addHeader(header)
            return 0
        }),
        HostFunction(stratusModule, "log", [.i32("level"), .i32("ptr"), .i32("len")], .i32 { c, a in
            guard let level = LogLine.Level(rawValue: Int(a.s32(0))), let bytes = c.readBytes(a.range(1)) else {
                return ABICode.invalid.rawValue
            }
            c.logs.append(level, String(decoding: bytes, as: UTF8.self))
            return 0
        }),
        HostFunction(stratusModule, "now_ns", [], .i64 { _, _ in
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
        }),
        HostFunction(stratusModule, "spawn", [.i32("name_ptr"), .i32("name_len"), .i32("in_ptr"), .i32("in_len")], waits: true, .i32 { c, a in
            c.withCallee(a) { name, input in c.code(c.host.spawn(name, input: input)) }
        }),
        HostFunction(stratusModule, "call", [.i32("name_ptr"), .i32("name_len"), .i32("in_ptr"), .i32("in_len")], waits: true, .i32 { c, a in
            c.withCallee(a) { name, input in
                switch c.host.call(name, input: input) {
                case .success(let output): c.makeBuffer(output.body, meta: GuestContext.meta(status: output.status, headers: output.headers))
                case .failure(let code): code.rawValue
                }
            }
        }),
        HostFunction(stratusModule, "http_fetch", [.i32("method_ptr"), .i32("method_len"), .i32("url_ptr"), .i32("url_len"),
                                                   .i32("body_ptr"), .i32("body_len")], waits: true, .i32 { c, a in
            guard a.u32(5) <= c.limits.maxCallInputBytes else { return ABICode.tooLarge.rawValue }
            guard let method = c.readString(a.range(0)), let url = c.readString(a.range(2)), let body = c.readBytes(a.range(4)),
                  HeaderRules.isValidName(method)
            else { return ABICode.invalid.rawValue }
            return c.fetch(method: method.uppercased(), url: url, body: body)
        }),
        HostFunction(stratusModule, "ws_send", [.i32("conn_ptr"), .i32("conn_len"), .i32("data_ptr"), .i32("data_len")], waits: true, .i32 { c, a in
            guard a.u32(3) <= c.limits.maxCallInputBytes else { return ABICode.tooLarge.rawValue }
            guard let connection = c.readString(a.range(0)), let data = c.readBytes(a.range(2)) else { return ABICode.invalid.rawValue }
            return c.code(c.host.wsSend(connection, data))
        }),
        HostFunction(stratusModule, "ws_close", [.i32("conn_ptr"), .i32("conn_len")], waits: true, .i32 { c, a in
            guard let connection = c.readString(a.range(0)) else { return ABICode.invalid.rawValue }
            return c.code(c.host.wsClose(connection))
        }),
    ]
}

/// The index of host functions that docs/ABI.md carries, made from the table so the two agree
/// (a test compares them).
public enum HostFunctionIndex {
    public static let begin = "<!-- host-function-index: made from HostTable; the tests keep it equal -->"
    public static let end = "<!-- /host-function-index -->"

    /// A Markdown table: every function with its module, signature and whether it may wait.
    public static var markdown: String {
        var lines = [begin, "| module | function | may wait |", "| --- | --- | --- |"]
        for function in HostTable.all {
            lines.append("| `\(function.module)` | `\(function.signature)` | \(function.waits ? "yes" : "no") |")
        }
        lines.append(end)
        return lines.joined(separator: "\n")
    }
}
