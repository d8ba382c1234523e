import Foundation
import StratusEngine
import StratusModel
import Testing

/// The `my-own-cluster` compatibility module (ABI.md), with WAT guests and the legacy C sample.
@Suite("Engine: my-own-cluster compatibility")
struct CompatModuleTests {
    let engine = WasmEngine()

    @Test("register_buffer, get_buffer_size, get_buffer, write_buffer and free_buffer round-trip; test() is 0", arguments: TestEngines.both)
    func bufferRoundTrip(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.compatGuest(data: [(0, "hello"), (16, " world")], locals: "(local $id i32) (local $out i32)", """
            (local.set $out (call $get_output_buffer_id))
            (local.set $id (call $register_buffer (i32.const 0) (i32.const 5)))
            (call $rec (i32.gt_s (local.get $id) (i32.const 0)))
            (call $rec (call $get_buffer_size (local.get $id)))
            (call $rec (call $get_buffer (local.get $id) (i32.const 0x9000) (i32.const 100)))
            (call $rec (call $get_buffer (local.get $id) (i32.const 0x9100) (i32.const 2)))
            (call $rec (call $write_buffer (local.get $id) (i32.const 16) (i32.const 6)))
            (call $rec (call $get_buffer_size (local.get $id)))
            (call $rec (call $get_buffer (local.get $id) (i32.const 0x9200) (i32.const 11)))
            (call $rec (call $free_buffer (local.get $id)))
            (call $rec (call $get_buffer_size (local.get $id)))
            (call $rec (call $get_buffer (local.get $id) (i32.const 0x9000) (i32.const 1)))
            (call $rec (call $write_buffer (local.get $id) (i32.const 0) (i32.const 1)))
            (call $rec (call $free_buffer (local.get $id)))
            (call $rec (call $register_buffer (i32.const 0xFFFF) (i32.const 2)))
            (call $rec (call $test))
            (drop (call $write_buffer (local.get $out) (i32.const 0x9000) (i32.const 5)))
            (drop (call $write_buffer (local.get $out) (i32.const 0x9100) (i32.const 2)))
            (drop (call $write_buffer (local.get $out) (i32.const 0x9200) (i32.const 11)))
        """)
        let output = try WATGuest.run(guest, engine: engine)
        #expect(WATGuest.text(output.body.prefix(18)) == "hellohehello world")
        #expect(WATGuest.int32s(output.body.dropFirst(18)) == [1, 5, 5, 2, 6, 11, 11, 0, -7, -7, -7, -7, -2, 0])
    }

    @Test("write_buffer to the output buffer is the body; write_buffer_header on it is a response header", arguments: TestEngines.both)
    func outputBuffer(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.compatGuest(data: [(0, "hello"), (32, "X-Compat"), (48, "yes"), (64, "Bad Name"), (80, "a\r\nb")],
                                         locals: "(local $out i32)", """
            (local.set $out (call $get_output_buffer_id))
            (call $rec (i32.eq (local.get $out) (call $get_output_buffer_id)))
            (call $rec (call $write_buffer (local.get $out) (i32.const 0) (i32.const 5)))
            (call $rec (call $get_buffer_size (local.get $out)))
            (call $rec (call $write_buffer_header (local.get $out) (i32.const 32) (i32.const 8) (i32.const 48) (i32.const 3)))
            (call $rec (call $write_buffer_header (local.get $out) (i32.const 64) (i32.const 8) (i32.const 48) (i32.const 3)))
            (call $rec (call $write_buffer_header (local.get $out) (i32.const 32) (i32.const 8) (i32.const 80) (i32.const 4)))
            (call $rec (call $write_buffer_header (i32.const 999) (i32.const 32) (i32.const 8) (i32.const 48) (i32.const 3)))
            (call $rec (call $write_buffer (local.get $out) (i32.const 0x10000) (i32.const 1)))
            (call $rec (call $print_debug (i32.const 0) (i32.const 5)))
            (call $rec (call $print_debug (i32.const -1) (i32.const 5)))
        """)
        let output = try WATGuest.run(guest, engine: engine)
        #expect(WATGuest.text(output.body.prefix(5)) == "hello")
        #expect(WATGuest.int32s(output.body.dropFirst(5)) == [1, 5, 5, 0, -2, -2, -7, -2, 0, -2])
        #expect(output.headers == [Header("X-Compat", "yes")])
        #expect(output.logs == [LogLine(.debug, "hello")])
        #expect(output.status == 200)
    }

    @Test("get_input_buffer_id holds the input, is stable, and is remade after free_buffer", arguments: TestEngines.both)
    func inputBuffer(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.compatGuest(locals: "(local $in i32) (local $n i32)", """
            (local.set $in (call $get_input_buffer_id))
            (call $rec (i32.eq (local.get $in) (call $get_input_buffer_id)))
            (call $rec (call $get_buffer_size (local.get $in)))
            (local.set $n (call $get_buffer (local.get $in) (i32.const 0x9000) (i32.const 64)))
            (call $rec (local.get $n))
            (drop (call $write_buffer (call $get_output_buffer_id) (i32.const 0x9000) (local.get $n)))
            (call $rec (call $free_buffer (local.get $in)))
            (call $rec (call $get_buffer_size (call $get_input_buffer_id)))
        """)
        let output = try WATGuest.run(guest, engine: engine, input: Array("legacy input".utf8))
        #expect(WATGuest.text(output.body.prefix(12)) == "legacy input")
        #expect(WATGuest.int32s(output.body.dropFirst(12)) == [1, 12, 12, 0, 12])
    }

    /// A guest calling get_url on the URL at 0 and writing what it got, then the codes.
    static let fetcher = WATGuest.compatGuest(data: [(0, "https://example.com/data.txt")], locals: "(local $id i32) (local $n i32)", """
        (local.set $id (call $get_url (i32.const 0) (i32.const 28)))
        (call $rec (local.get $id))
        (if (i32.gt_s (local.get $id) (i32.const 0))
          (then
            (call $rec (call $get_buffer_size (local.get $id)))
            (local.set $n (call $get_buffer (local.get $id) (i32.const 0x9000) (i32.const 256)))
            (drop (call $write_buffer (call $get_output_buffer_id) (i32.const 0x9000) (local.get $n)))))
        (call $rec (call $get_url (i32.const 0xFFFF) (i32.const 28)))
    """)

    @Test("get_url answers DENIED when the host denies it", arguments: TestEngines.both)
    func getURLDenied(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let host = EngineHostDouble.denying
        let output = try WATGuest.run(Self.fetcher, engine: engine, host: host)
        #expect(WATGuest.int32s(output.body) == [-3, -2])
        #expect(host.urls == ["https://example.com/data.txt"], "an out-of-bounds URL never reaches the host")
    }

    @Test("get_url answers FAILED when the request fails", arguments: TestEngines.both)
    func getURLFailed(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let output = try WATGuest.run(Self.fetcher, engine: engine, host: EngineHostDouble(.failure(.failed)))
        #expect(WATGuest.int32s(output.body) == [-6, -2])
    }

    @Test("get_url returns a buffer holding the response body", arguments: TestEngines.both)
    func getURLSuccess(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let body = Array("remote content ✓".utf8)
        let host = EngineHostDouble(.success(body))
        let output = try WATGuest.run(Self.fetcher, engine: engine, host: host)
        #expect(Array(output.body.prefix(body.count)) == body)
        let codes = WATGuest.int32s(output.body.dropFirst(body.count))
        try #require(codes.count == 3)
        #expect(codes[0] > 0)
        #expect(Array(codes[1...]) == [Int32(body.count), -2])
        #expect(host.urls == ["https://example.com/data.txt"])
    }

    @Test("a guest may import both stratus and my-own-cluster", arguments: TestEngines.both)
    func mixedImports(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = """
        (module
        \(WATGuest.stratusImports)
        \(WATGuest.compatImports)
          (memory (export "memory") 1)
          (data (i32.const 0) "ab")
          (func (export "handle")
            (drop (call $out_write (i32.const 0) (i32.const 1)))
            (drop (call $write_buffer (call $get_output_buffer_id) (i32.const 1) (i32.const 1)))))
        """
        let output = try WATGuest.run(guest, engine: engine)
        #expect(WATGuest.text(output.body) == "ab")
    }

    @Test("write_buffer_header on another buffer is metadata that stratus buf_meta reads", arguments: TestEngines.both)
    func headerMetadata(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = """
        (module
        \(WATGuest.stratusImports)
        \(WATGuest.compatImports)
          (memory (export "memory") 1)
          (data (i32.const 0) "X-Meta")
          (data (i32.const 16) "value 1")
          (data (i32.const 32) "HEADER.x-meta")
          (data (i32.const 48) "header.other")
          (func (export "handle") (local $id i32) (local $meta i32) (local $n i32)
            (local.set $id (call $register_buffer (i32.const 16) (i32.const 7)))
            (i32.store (i32.const 0x100) (call $write_buffer_header (local.get $id) (i32.const 0) (i32.const 6)
                                                                    (i32.const 16) (i32.const 7)))
            (local.set $meta (call $buf_meta (local.get $id) (i32.const 32) (i32.const 13)))
            (i32.store (i32.const 0x104) (i32.gt_s (local.get $meta) (i32.const 0)))
            (i32.store (i32.const 0x108) (call $buf_meta (local.get $id) (i32.const 48) (i32.const 12)))
            (local.set $n (call $buf_read (local.get $meta) (i32.const 0) (i32.const 0x200) (i32.const 64)))
            (drop (call $out_write (i32.const 0x200) (local.get $n)))
            (drop (call $out_write (i32.const 0x100) (i32.const 12)))))
        """
        let output = try WATGuest.run(guest, engine: engine)
        #expect(WATGuest.text(output.body.prefix(7)) == "value 1")
        #expect(WATGuest.int32s(output.body.dropFirst(7)) == [0, 1, -1])
        #expect(output.headers.isEmpty, "metadata of another buffer is not a response header")
    }

    // MARK: The legacy sample

    @Test("the legacy reverse sample answers its input reversed, as text/plain, with a debug log", arguments: TestEngines.both)
    func legacyReverse(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let compiled = try engine.compile(Repository.module("samples/legacy/reverse.wasm"), path: "reverse.wasm")
        #expect(compiled.entry == .export("handle"))
        #expect(!compiled.usesWASI)
        let output = try engine.invoke(compiled, Invocation(input: Array("stressed".utf8), context: [:]), host: EngineHostDouble.denying)
        #expect(output.status == 200)
        #expect(WATGuest.text(output.body) == "desserts")
        #expect(output.headers == [Header("Content-Type", "text/plain")])
        #expect(output.logs == [LogLine(.debug, "legacy: reversing 8 bytes")])

        let large = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let reversed = try engine.invoke(compiled, Invocation(input: large, context: [:]), host: EngineHostDouble.denying)
        #expect(reversed.body == Array(large.reversed()))

        let empty = try engine.invoke(compiled, Invocation(input: [], context: [:]), host: EngineHostDouble.denying)
        #expect(empty.body.isEmpty)
        #expect(empty.logs == [LogLine(.debug, "legacy: reversing 0 bytes")])
    }
}
