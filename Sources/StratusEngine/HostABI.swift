import WasmKit

/// The host functions Stratus provides, by import module and name, with their exact signatures.
/// A module importing anything else is refused at deploy.
enum HostABI {
    static let stratusModule = "stratus"
    static let compatModule = "my-own-cluster"
    static let wasiModule = "wasi_snapshot_preview1"

    private static func sig(_ params: Int, _ result: ValueType? = .i32, i64At: Int? = nil) -> FunctionType {
        var types = [ValueType](repeating: .i32, count: params)
        if let i64At { types[i64At] = .i64 }
        return FunctionType(parameters: types, results: result.map { [$0] } ?? [])
    }

    /// `stratus` imports of ABI v1 that this build implements.
    static let stratus: [String: FunctionType] = [
        "buf_len": sig(1),
        "buf_read": sig(4),
        "buf_free": sig(1),
        "buf_meta": sig(3),
        "input": sig(0),
        "ctx": sig(2),
        "out_write": sig(2),
        "out_status": sig(1),
        "out_header": sig(4),
        "log": sig(3),
        "now_ns": FunctionType(parameters: [], results: [.i64]),
        "kv_get": sig(2),
        "kv_set": sig(4),
        "kv_delete": sig(2),
        "kv_cas": sig(6),
        "kv_incr": sig(4, i64At: 2),
        "kv_scan": sig(3),
        "spawn": sig(4),
        "call": sig(4),
        "http_fetch": sig(6),
        "ws_send": sig(4),
        "ws_close": sig(2),
    ]

    /// The `my-own-cluster` compatibility imports.
    static let compat: [String: FunctionType] = [
        "test": sig(0),
        "print_debug": sig(2),
        "register_buffer": sig(2),
        "get_buffer_size": sig(1),
        "get_buffer": sig(3),
        "write_buffer": sig(3),
        "write_buffer_header": sig(5),
        "free_buffer": sig(1),
        "get_input_buffer_id": sig(0),
        "get_output_buffer_id": sig(0),
        "get_url": sig(2),
    ]
}
