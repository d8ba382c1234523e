import Foundation
import StratusEngine
import StratusModel
import Synchronization
import Testing

/// Helpers for the engine tests: WAT guests compiled in-process, a `HostServices` double and
/// decoding of what guests write.
enum WATGuest {
    /// The binary module for WAT `text`, through the engine's own `.wat` support.
    static func binary(_ text: String) throws -> [UInt8] {
        try WasmEngine.binary(from: Array(text.utf8), path: "t.wat")
    }

    /// Compiles WAT `text` the way a deploy does.
    static func compile(_ text: String, engine: WasmEngine, entry: String? = nil) throws -> CompiledModule {
        try engine.compile(binary(text), entry: entry, path: "t.wat")
    }

    /// Compiles and runs WAT `text` once.
    static func run(_ text: String, engine: WasmEngine = WasmEngine(), input: [UInt8] = [],
                    context: [String: String] = [:], host: any HostServices = EngineHostDouble.denying) throws -> InvocationOutput {
        let compiled = try compile(text, engine: engine)
        return try engine.invoke(compiled, Invocation(input: input, context: context), host: host)
    }

    /// The failure of an invocation that must fail; records an issue and returns nil if it succeeds.
    static func failure(_ engine: WasmEngine, _ compiled: CompiledModule, input: [UInt8] = [], context: [String: String] = [:],
                        host: any HostServices = EngineHostDouble.denying,
                        sourceLocation: SourceLocation = #_sourceLocation) -> InvocationFailure? {
        do {
            let output = try engine.invoke(compiled, Invocation(input: input, context: context), host: host)
            Issue.record("expected the invocation to fail; it answered \(output.status) with \(output.body.count) bytes",
                         sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// The `StratusError` thrown by `body`; records an issue and returns nil if it throws nothing
    /// or something else.
    static func deployError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> StratusError? {
        do {
            try body()
            Issue.record("expected a deploy error", sourceLocation: sourceLocation)
        } catch let error as StratusError {
            return error
        } catch {
            Issue.record("expected a StratusError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// `bytes` as a WAT string literal body: every byte escaped, so any content is safe.
    static func literal(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "\\%02x", $0) }.joined()
    }

    static func literal(_ text: String) -> String { literal(Array(text.utf8)) }

    /// Little-endian `i32` values, as a guest's `i32.store`s lay them out.
    static func int32s<C: Collection<UInt8>>(_ bytes: C) -> [Int32] {
        let array = Array(bytes)
        return stride(from: 0, to: array.count - array.count % 4, by: 4).map { i in
            Int32(bitPattern: UInt32(array[i]) | UInt32(array[i + 1]) << 8 | UInt32(array[i + 2]) << 16 | UInt32(array[i + 3]) << 24)
        }
    }

    static func text<C: Collection<UInt8>>(_ bytes: C) -> String { String(decoding: Array(bytes), as: UTF8.self) }

    // MARK: Guest templates

    /// Every `stratus` import this build provides.
    static let stratusImports = """
      (import "stratus" "buf_len"    (func $buf_len    (param i32) (result i32)))
      (import "stratus" "buf_read"   (func $buf_read   (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "buf_free"   (func $buf_free   (param i32) (result i32)))
      (import "stratus" "buf_meta"   (func $buf_meta   (param i32 i32 i32) (result i32)))
      (import "stratus" "input"      (func $input      (result i32)))
      (import "stratus" "ctx"        (func $ctx        (param i32 i32) (result i32)))
      (import "stratus" "out_write"  (func $out_write  (param i32 i32) (result i32)))
      (import "stratus" "out_status" (func $out_status (param i32) (result i32)))
      (import "stratus" "out_header" (func $out_header (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "log"        (func $log        (param i32 i32 i32) (result i32)))
      (import "stratus" "now_ns"     (func $now_ns     (result i64)))
      (import "stratus" "kv_get"     (func $kv_get     (param i32 i32) (result i32)))
      (import "stratus" "kv_set"     (func $kv_set     (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "kv_delete"  (func $kv_delete  (param i32 i32) (result i32)))
      (import "stratus" "kv_cas"     (func $kv_cas     (param i32 i32 i32 i32 i32 i32) (result i32)))
      (import "stratus" "kv_incr"    (func $kv_incr    (param i32 i32 i64 i32) (result i32)))
      (import "stratus" "kv_scan"    (func $kv_scan    (param i32 i32 i32) (result i32)))
      (import "stratus" "spawn"      (func $spawn      (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "ws_send"    (func $ws_send    (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "ws_close"   (func $ws_close   (param i32 i32) (result i32)))
    """

    /// Every `my-own-cluster` import.
    static let compatImports = """
      (import "my-own-cluster" "test"                 (func $test (result i32)))
      (import "my-own-cluster" "print_debug"          (func $print_debug (param i32 i32) (result i32)))
      (import "my-own-cluster" "register_buffer"      (func $register_buffer (param i32 i32) (result i32)))
      (import "my-own-cluster" "get_buffer_size"      (func $get_buffer_size (param i32) (result i32)))
      (import "my-own-cluster" "get_buffer"           (func $get_buffer (param i32 i32 i32) (result i32)))
      (import "my-own-cluster" "write_buffer"         (func $write_buffer (param i32 i32 i32) (result i32)))
      (import "my-own-cluster" "write_buffer_header"  (func $write_buffer_header (param i32 i32 i32 i32 i32) (result i32)))
      (import "my-own-cluster" "free_buffer"          (func $free_buffer (param i32) (result i32)))
      (import "my-own-cluster" "get_input_buffer_id"  (func $get_input_buffer_id (result i32)))
      (import "my-own-cluster" "get_output_buffer_id" (func $get_output_buffer_id (result i32)))
      (import "my-own-cluster" "get_url"              (func $get_url (param i32 i32) (result i32)))
    """

    /// Where `$rec` stores the values it records.
    static let recordArea = 0xC000

    /// `$rec`: stores an `i32` at the next slot of the record area.
    static let recorder = """
    (global $cursor (mut i32) (i32.const \(recordArea)))
      (func $rec (param $v i32)
        (i32.store (global.get $cursor) (local.get $v))
        (global.set $cursor (i32.add (global.get $cursor) (i32.const 4))))
    """

    /// A `handle` guest with every `stratus` import, one page of memory (plus `extraPages`),
    /// `data` segments as (address, bytes), and `$rec` storing an `i32` at the next slot of the
    /// record area (0xC000). After `body`, the recorded values are appended to the response body
    /// as little-endian `i32`s. `declarations` go at module level (globals, helper functions).
    static func stratusGuest(data: [(Int, String)] = [], extraPages: Int = 0, declarations: String = "", locals: String = "",
                             _ body: String) -> String {
        """
        (module
        \(stratusImports)
          (memory (export "memory") \(1 + extraPages))
          \(declarations)
        \(data.map { "  (data (i32.const \($0.0)) \"\(literal($0.1))\")" }.joined(separator: "\n"))
          \(recorder)
          (func (export "handle") \(locals)
        \(body)
            (drop (call $out_write (i32.const \(recordArea)) (i32.sub (global.get $cursor) (i32.const \(recordArea))))))
        )
        """
    }

    /// The same for the `my-own-cluster` module: recorded values are written with `write_buffer`
    /// to the output buffer after `body`.
    static func compatGuest(data: [(Int, String)] = [], locals: String = "", _ body: String) -> String {
        """
        (module
        \(compatImports)
          (memory (export "memory") 1)
        \(data.map { "  (data (i32.const \($0.0)) \"\(literal($0.1))\")" }.joined(separator: "\n"))
          \(recorder)
          (func (export "handle") \(locals)
        \(body)
            (drop (call $write_buffer (call $get_output_buffer_id) (i32.const \(recordArea))
                                      (i32.sub (global.get $cursor) (i32.const \(recordArea))))))
        )
        """
    }
}

/// A `HostServices` double: answers every outbound request with `result` as its body and
/// remembers the URLs asked for.
final class EngineHostDouble: HostServices {
    let result: HostResult<[UInt8]>
    private let requested = Mutex<[String]>([])

    init(_ result: HostResult<[UInt8]>) {
        self.result = result
    }

    /// Denies every outbound request, as a manifest with no `outbound` hosts does.
    static var denying: EngineHostDouble { EngineHostDouble(.failure(.denied)) }

    var urls: [String] { requested.withLock { $0 } }

    func httpFetch(method: String, url: String, body: [UInt8]) -> HostResult<HTTPReply> {
        requested.withLock { $0.append(url) }
        return switch result {
        case .success(let bytes): .success(HTTPReply(status: 200, body: bytes))
        case .failure(let code): .failure(code)
        }
    }
}

/// Guests shared by several engine suites.
enum EngineTestGuests {
    /// Echoes its input through `input`/`buf_read`/`out_write`.
    static let echo = WATGuest.stratusGuest(extraPages: 1, locals: "(local $h i32) (local $n i32) (local $off i32)", """
        (local.set $h (call $input))
        (block $done
          (loop $next
            (local.set $n (call $buf_read (local.get $h) (local.get $off) (i32.const 65536) (i32.const 65536)))
            (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
            (drop (call $out_write (i32.const 65536) (local.get $n)))
            (local.set $off (i32.add (local.get $off) (local.get $n)))
            (br $next)))
    """)
}
