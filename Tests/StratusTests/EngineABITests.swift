import Foundation
import StratusEngine
import StratusModel
import Testing

/// The `stratus` host functions (ABI.md), called by WAT guests that record each result code in
/// their output.
@Suite("Engine: stratus ABI")
struct EngineABITests {
    let engine = WasmEngine()

    @Test("input, buf_len, buf_read (partial, at and past the end), buf_free and BAD_HANDLE after it", arguments: TestEngines.both)
    func buffers(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(locals: "(local $h i32)", """
            (local.set $h (call $input))
            (call $rec (local.get $h))
            (call $rec (call $buf_len (local.get $h)))
            (call $rec (call $buf_read (local.get $h) (i32.const 6) (i32.const 0x9000) (i32.const 100)))
            (call $rec (call $buf_read (local.get $h) (i32.const 0) (i32.const 0x9100) (i32.const 3)))
            (call $rec (call $buf_read (local.get $h) (i32.const 11) (i32.const 0x9200) (i32.const 10)))
            (call $rec (call $buf_read (local.get $h) (i32.const 500) (i32.const 0x9200) (i32.const 10)))
            (call $rec (call $buf_read (local.get $h) (i32.const -1) (i32.const 0x9200) (i32.const 10)))
            (call $rec (call $buf_read (local.get $h) (i32.const 4) (i32.const 0x9200) (i32.const 0)))
            (call $rec (call $buf_free (local.get $h)))
            (call $rec (call $buf_free (local.get $h)))
            (call $rec (call $buf_len (local.get $h)))
            (call $rec (call $buf_read (local.get $h) (i32.const 0) (i32.const 0x9200) (i32.const 1)))
            (call $rec (call $buf_meta (local.get $h) (i32.const 0x9300) (i32.const 0)))
            (call $rec (call $buf_len (i32.const 12345)))
            (call $rec (call $buf_len (i32.const -3)))
            (drop (call $out_write (i32.const 0x9000) (i32.const 5)))
            (drop (call $out_write (i32.const 0x9100) (i32.const 3)))
        """)
        let output = try WATGuest.run(guest, engine: engine, input: Array("hello world".utf8))
        #expect(WATGuest.text(output.body.prefix(8)) == "worldhel")
        let codes = WATGuest.int32s(output.body.dropFirst(8))
        try #require(codes.count == 15)
        #expect(codes[0] > 0, "input() returns a positive handle")
        #expect(Array(codes[1...]) == [11, 5, 3, 0, 0, 0, 0, 0, -7, -7, -7, -7, -7, -7])
    }

    @Test("each input() call is a new handle; freeing one leaves the other", arguments: TestEngines.both)
    func handlesAreIndependent(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(locals: "(local $a i32) (local $b i32)", """
            (local.set $a (call $input))
            (local.set $b (call $input))
            (call $rec (i32.ne (local.get $a) (local.get $b)))
            (call $rec (call $buf_free (local.get $a)))
            (call $rec (call $buf_len (local.get $a)))
            (call $rec (call $buf_len (local.get $b)))
        """)
        let output = try WATGuest.run(guest, engine: engine, input: Array("abc".utf8))
        #expect(WATGuest.int32s(output.body) == [1, 0, -7, 3])
    }

    @Test("ctx: a present name gives a handle of its UTF-8 value, a missing one NOT_FOUND, a bad name INVALID", arguments: TestEngines.both)
    func context(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(
            data: [(0, "param.name"), (16, "missing"), (32, "header.x-test")],
            locals: "(local $h i32) (local $n i32)", """
            (local.set $h (call $ctx (i32.const 0) (i32.const 10)))
            (call $rec (i32.gt_s (local.get $h) (i32.const 0)))
            (local.set $n (call $buf_read (local.get $h) (i32.const 0) (i32.const 0x9000) (i32.const 64)))
            (call $rec (local.get $n))
            (drop (call $out_write (i32.const 0x9000) (local.get $n)))
            (call $rec (call $ctx (i32.const 16) (i32.const 7)))
            (call $rec (call $ctx (i32.const 0) (i32.const 5)))
            (call $rec (i32.gt_s (call $ctx (i32.const 32) (i32.const 13)) (i32.const 0)))
            (call $rec (call $ctx (i32.const 0x20000) (i32.const 4)))
            (call $rec (call $ctx (i32.const 0xFFF0) (i32.const 0x20)))
        """)
        let output = try WATGuest.run(guest, engine: engine, context: ["param.name": "Ada Lovelace ✓", "header.x-test": "1"])
        let value = Array("Ada Lovelace ✓".utf8)
        #expect(Array(output.body.prefix(value.count)) == value)
        #expect(WATGuest.int32s(output.body.dropFirst(value.count)) == [1, Int32(value.count), -1, -1, 1, -2, -2])
    }

    @Test("ctx with a name that is not UTF-8 answers INVALID", arguments: TestEngines.both)
    func contextNameNotUTF8(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = """
        (module
        \(WATGuest.stratusImports)
          (memory (export "memory") 1)
          (data (i32.const 0) "\\ff\\fe")
          (func (export "handle")
            (i32.store (i32.const 16) (call $ctx (i32.const 0) (i32.const 2)))
            (drop (call $out_write (i32.const 16) (i32.const 4)))))
        """
        let output = try WATGuest.run(guest, engine: engine, context: ["\u{FF}": "x"])
        #expect(WATGuest.int32s(output.body) == [-2])
    }

    @Test("buf_meta of a context buffer is NOT_FOUND", arguments: TestEngines.both)
    func bufferMetadata(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(data: [(0, "method"), (16, "status"), (32, "header.content-type")],
                                          locals: "(local $h i32)", """
            (local.set $h (call $ctx (i32.const 0) (i32.const 6)))
            (call $rec (i32.gt_s (local.get $h) (i32.const 0)))
            (call $rec (call $buf_meta (local.get $h) (i32.const 16) (i32.const 6)))
            (call $rec (call $buf_meta (local.get $h) (i32.const 32) (i32.const 19)))
            (call $rec (call $buf_meta (local.get $h) (i32.const 0x10000) (i32.const 1)))
            (call $rec (call $buf_meta (i32.const 999) (i32.const 16) (i32.const 6)))
        """)
        let output = try WATGuest.run(guest, engine: engine, context: ["method": "GET"])
        #expect(WATGuest.int32s(output.body) == [1, -1, -1, -2, -7])
    }

    @Test("out_write appends in order; out_status sets the status and refuses codes outside 100...599", arguments: TestEngines.both)
    func statusAndBody(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(data: [(0, "Hello, "), (16, "world")], """
            (call $rec (call $out_write (i32.const 0) (i32.const 7)))
            (call $rec (call $out_write (i32.const 16) (i32.const 5)))
            (call $rec (call $out_write (i32.const 16) (i32.const 0)))
            (call $rec (call $out_status (i32.const 201)))
            (call $rec (call $out_status (i32.const 700)))
            (call $rec (call $out_status (i32.const 99)))
            (call $rec (call $out_status (i32.const -404)))
        """)
        let output = try WATGuest.run(guest, engine: engine)
        #expect(WATGuest.text(output.body.prefix(12)) == "Hello, world")
        #expect(WATGuest.int32s(output.body.dropFirst(12)) == [0, 0, 0, 0, -2, -2, -2])
        #expect(output.status == 201, "an invalid status leaves the last valid one")
        #expect(output.headers.isEmpty)
    }

    @Test("the status defaults to 200", arguments: TestEngines.both)
    func defaultStatus(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let output = try WATGuest.run(WATGuest.stratusGuest(""), engine: engine)
        #expect(output.status == 200)
        #expect(output.body.isEmpty)
        #expect(output.logs.isEmpty)
    }

    @Test("out_header adds valid headers and refuses a name with a space, a separator or a non-ASCII byte, or a value with CR or LF", arguments: TestEngines.both)
    func headers(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(
            data: [(0, "X-Test"), (16, "yes, please"), (32, "Bad Name"), (48, "a\r\nInjected: 1"), (80, "a\nb"),
                   (96, "Content-Type"), (112, "text/plain; charset=utf-8"), (160, "X:Colon"), (176, "X~a!|"), (192, "Xé")], """
            (call $rec (call $out_header (i32.const 0) (i32.const 6) (i32.const 16) (i32.const 11)))
            (call $rec (call $out_header (i32.const 32) (i32.const 8) (i32.const 16) (i32.const 3)))
            (call $rec (call $out_header (i32.const 0) (i32.const 6) (i32.const 48) (i32.const 14)))
            (call $rec (call $out_header (i32.const 0) (i32.const 6) (i32.const 80) (i32.const 3)))
            (call $rec (call $out_header (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 3)))
            (call $rec (call $out_header (i32.const 160) (i32.const 7) (i32.const 16) (i32.const 3)))
            (call $rec (call $out_header (i32.const 96) (i32.const 12) (i32.const 112) (i32.const 25)))
            (call $rec (call $out_header (i32.const 0) (i32.const 6) (i32.const 0x10000) (i32.const 1)))
            (call $rec (call $out_header (i32.const 0) (i32.const 6) (i32.const 16) (i32.const 0)))
            (call $rec (call $out_header (i32.const 176) (i32.const 5) (i32.const 16) (i32.const 3)))
            (call $rec (call $out_header (i32.const 192) (i32.const 3) (i32.const 16) (i32.const 3)))
        """)
        let output = try WATGuest.run(guest, engine: engine)
        #expect(WATGuest.int32s(output.body) == [0, -2, -2, -2, -2, -2, 0, -2, 0, 0, -2])
        #expect(output.headers == [Header("X-Test", "yes, please"), Header("Content-Type", "text/plain; charset=utf-8"),
                                   Header("X-Test", ""), Header("X~a!|", "yes")])
    }

    @Test("a pooled instance's headers follow the bytes it passes each time, not those of its last invocation", arguments: TestEngines.both)
    func headersOfAPooledInstance(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(data: [(0, "X-Echo")], locals: "(local $n i32)", """
            (local.set $n (call $buf_read (call $input) (i32.const 0) (i32.const 64) (i32.const 32)))
            (call $rec (call $out_header (i32.const 0) (i32.const 6) (i32.const 64) (local.get $n)))
        """)
        let compiled = try WATGuest.compile(guest, engine: engine)
        // Same length, same address, other bytes: each answer must carry its own.
        for value in ["one", "two", "one", "two", "a\nb", "two"] {
            let output = try engine.invoke(compiled, Invocation(input: Array(value.utf8), context: [:]), host: EngineHostDouble.denying)
            let valid = !value.contains("\n")
            #expect(WATGuest.int32s(output.body) == [valid ? 0 : -2])
            #expect(output.headers == (valid ? [Header("X-Echo", value)] : []))
        }
    }

    @Test("log: levels 0...3 appear in output.logs; any other level is INVALID", arguments: TestEngines.both)
    func logging(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(data: [(0, "debug line"), (16, "info line"), (32, "warn line"), (48, "error ✓")], """
            (call $rec (call $log (i32.const 0) (i32.const 0) (i32.const 10)))
            (call $rec (call $log (i32.const 1) (i32.const 16) (i32.const 9)))
            (call $rec (call $log (i32.const 2) (i32.const 32) (i32.const 9)))
            (call $rec (call $log (i32.const 3) (i32.const 48) (i32.const 9)))
            (call $rec (call $log (i32.const 9) (i32.const 0) (i32.const 10)))
            (call $rec (call $log (i32.const -1) (i32.const 0) (i32.const 10)))
            (call $rec (call $log (i32.const 1) (i32.const 0xFFFF) (i32.const 2)))
        """)
        let output = try WATGuest.run(guest, engine: engine)
        #expect(WATGuest.int32s(output.body) == [0, 0, 0, 0, -2, -2, -2])
        #expect(output.logs == [LogLine(.debug, "debug line"), LogLine(.info, "info line"),
                                LogLine(.warn, "warn line"), LogLine(.error, "error ✓")])
    }

    @Test("now_ns is the wall clock in nanoseconds", arguments: TestEngines.both)
    func clock(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = """
        (module
        \(WATGuest.stratusImports)
          (memory (export "memory") 1)
          (func (export "handle")
            (i64.store (i32.const 0) (call $now_ns))
            (drop (call $out_write (i32.const 0) (i32.const 8)))))
        """
        let output = try WATGuest.run(guest, engine: engine)
        try #require(output.body.count == 8)
        let nanos = output.body.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let seconds = Double(nanos) / 1e9
        #expect(abs(seconds - Date().timeIntervalSince1970) < 5)
    }

    // MARK: Pointers

    @Test("out-of-bounds pointers answer INVALID and the next invocation still works", arguments: TestEngines.both)
    func outOfBoundsPointers(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(data: [(0, "method"), (16, "ok")], locals: "(local $h i32)", """
            (local.set $h (call $input))
            (call $rec (call $out_write (i32.const 0x10000) (i32.const 1)))
            (call $rec (call $out_write (i32.const 0x7FFFFFFF) (i32.const 4)))
            (call $rec (call $out_write (i32.const -1) (i32.const 2)))
            (call $rec (call $out_write (i32.const 16) (i32.const -1)))
            (call $rec (call $out_write (i32.const 0xFFF0) (i32.const 0x11)))
            (call $rec (call $ctx (i32.const 0x10000) (i32.const 6)))
            (call $rec (call $ctx (i32.const -4) (i32.const 6)))
            (call $rec (call $buf_read (local.get $h) (i32.const 0) (i32.const 0x10000) (i32.const 4)))
            (call $rec (call $buf_read (local.get $h) (i32.const 0) (i32.const 0xFFFE) (i32.const 4)))
            (call $rec (call $buf_read (local.get $h) (i32.const 0) (i32.const -2) (i32.const 4)))
            (call $rec (call $log (i32.const 1) (i32.const -1) (i32.const 2)))
            (call $rec (call $out_header (i32.const -1) (i32.const 2) (i32.const 16) (i32.const 2)))
            (call $rec (call $out_write (i32.const 0xFFFF) (i32.const 1)))
            (call $rec (call $out_write (i32.const 0x10000) (i32.const 0)))
            (call $rec (call $out_write (i32.const 16) (i32.const 2)))
        """)
        let compiled = try WATGuest.compile(guest, engine: engine)
        for _ in 0..<2 {
            let output = try engine.invoke(compiled, Invocation(input: Array("data".utf8), context: [:]), host: EngineHostDouble.denying)
            // The last byte of memory (a zero) and "ok" were written; then the codes.
            #expect(Array(output.body.prefix(3)) == [0, 0x6F, 0x6B])
            #expect(WATGuest.int32s(output.body.dropFirst(3)) == [-2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, 0, 0, 0])
            #expect(output.logs.isEmpty)
            #expect(output.headers.isEmpty)
        }
        // And another module runs fine afterwards.
        let output = try WATGuest.run(WATGuest.stratusGuest(data: [(0, "fine")], "(drop (call $out_write (i32.const 0) (i32.const 4)))"),
                                      engine: engine)
        #expect(WATGuest.text(output.body) == "fine")
    }

    @Test("memory grown by the guest is visible to the host", arguments: TestEngines.both)
    func grownMemory(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest("""
            (call $rec (call $out_write (i32.const 0x10000) (i32.const 4)))
            (call $rec (memory.grow (i32.const 1)))
            (i32.store (i32.const 0x10000) (i32.const 0x21474F4F))
            (call $rec (call $out_write (i32.const 0x10000) (i32.const 4)))
        """)
        let output = try WATGuest.run(guest, engine: engine)
        #expect(WATGuest.text(output.body.prefix(4)) == "OOG!")
        #expect(WATGuest.int32s(output.body.dropFirst(4)) == [-2, 1, 0])
    }

    @Test("a guest without an exported memory gets INVALID for any pointer, not a crash", arguments: TestEngines.both)
    func noMemory(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = """
        (module
          (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
          (import "stratus" "out_status" (func $out_status (param i32) (result i32)))
          (func (export "handle")
            (if (i32.eq (call $out_write (i32.const 0) (i32.const 1)) (i32.const -2))
              (then (drop (call $out_status (i32.const 418)))))))
        """
        let output = try WATGuest.run(guest, engine: engine)
        #expect(output.status == 418)
        #expect(output.body.isEmpty)
    }

    // MARK: Traps and state

    @Test("unreachable is a guest_trap naming the trap, and keeps the logs written before it", arguments: TestEngines.both)
    func unreachableTrap(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(data: [(0, "before the trap")], """
            (drop (call $log (i32.const 1) (i32.const 0) (i32.const 15)))
            (drop (call $out_write (i32.const 0) (i32.const 6)))
            unreachable
        """)
        let compiled = try WATGuest.compile(guest, engine: engine)
        let failure = try #require(WATGuest.failure(engine, compiled))
        #expect(failure.error.code == "guest_trap")
        #expect(failure.error.kind == .guestFailure)
        #expect(failure.error.httpStatus == 500)
        #expect(failure.error.message.contains("unreachable"))
        #expect(!failure.error.message.contains("\n"), "only the first line of the trap")
        #expect(failure.logs == [LogLine(.info, "before the trap")])
    }

    @Test("integer division by zero is a guest_trap", arguments: TestEngines.both)
    func divideByZero(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = """
        (module
          (memory (export "memory") 1)
          (func $div (param i32) (result i32) (i32.div_s (i32.const 7) (local.get 0)))
          (func (export "handle") (drop (call $div (i32.const 0)))))
        """
        let compiled = try WATGuest.compile(guest, engine: engine)
        let failure = try #require(WATGuest.failure(engine, compiled))
        #expect(failure.error.code == "guest_trap")
        #expect(failure.error.message.contains("divide by zero"))
        #expect(failure.logs.isEmpty)
        // The module still runs (and traps again) afterwards: nothing is poisoned.
        #expect(WATGuest.failure(engine, compiled)?.error.code == "guest_trap")
    }

    @Test("out-of-bounds memory access by the guest itself is a guest_trap", arguments: TestEngines.both)
    func guestMemoryTrap(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = """
        (module
          (memory (export "memory") 1)
          (func (export "handle") (drop (i32.load (i32.const 0x10000)))))
        """
        let compiled = try WATGuest.compile(guest, engine: engine)
        #expect(WATGuest.failure(engine, compiled)?.error.code == "guest_trap")
    }

    @Test("unbounded recursion is a stack_overflow, and the engine runs guests normally afterwards", arguments: TestEngines.both)
    func stackExhaustion(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let recursive = try WATGuest.compile("""
            (module (memory (export "memory") 1)
              (func $down (param i32) (result i32) (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
              (func (export "handle") (drop (call $down (i32.const 0)))))
            """, engine: engine)
        let echo = try WATGuest.compile(EngineTestGuests.echo, engine: engine)
        for round in 0..<3 {
            let failure = WATGuest.failure(engine, recursive)
            #expect(failure?.error.code == "stack_overflow")
            let input = Array("round \(round)".utf8)
            let output = try engine.invoke(echo, Invocation(input: input, context: [:]), host: EngineHostDouble.denying)
            #expect(output.body == input)
        }
    }

    @Test("every invocation starts from fresh globals and memory", arguments: TestEngines.both)
    func freshState(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(declarations: "(global $count (mut i32) (i32.const 0))", """
            (global.set $count (i32.add (global.get $count) (i32.const 1)))
            (i32.store (i32.const 0x100) (i32.add (i32.load (i32.const 0x100)) (i32.const 1)))
            (call $rec (global.get $count))
            (call $rec (i32.load (i32.const 0x100)))
        """)
        let compiled = try WATGuest.compile(guest, engine: engine)
        for _ in 0..<2 {
            let output = try engine.invoke(compiled, Invocation(input: [], context: [:]), host: EngineHostDouble.denying)
            #expect(WATGuest.int32s(output.body) == [1, 1])
        }
    }

    @Test("one compiled module runs concurrently with separate state", arguments: TestEngines.both)
    func concurrentInvocations(_ choice: EngineChoice) async throws {
        let engine = try TestEngines.make(choice)
        let compiled = try WATGuest.compile(EngineTestGuests.echo, engine: engine)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let input = Array("request \(i) ".utf8) + [UInt8](repeating: UInt8(i), count: 1000 * i)
                    let output = try engine.invoke(compiled, Invocation(input: input, context: [:]), host: EngineHostDouble.denying)
                    return output.body == input
                }
            }
            for try await same in group { #expect(same) }
        }
    }

    // MARK: Size

    @Test("a guest can write 1 MiB of output", arguments: TestEngines.both)
    func oneMebibyte(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let guest = WATGuest.stratusGuest(extraPages: 1, locals: "(local $i i32)", """
            ;; Fill page 1 with i % 251, then write it 16 times.
            (block $filled
              (loop $fill
                (br_if $filled (i32.ge_u (local.get $i) (i32.const 65536)))
                (i32.store8 (i32.add (i32.const 65536) (local.get $i)) (i32.rem_u (local.get $i) (i32.const 251)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $fill)))
            (local.set $i (i32.const 0))
            (block $written
              (loop $write
                (br_if $written (i32.ge_u (local.get $i) (i32.const 16)))
                (if (call $out_write (i32.const 65536) (i32.const 65536)) (then unreachable))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $write)))
        """)
        let output = try WATGuest.run(guest, engine: engine)
        #expect(output.body.count == 1 << 20)
        let page = (0..<65536).map { UInt8($0 % 251) }
        let expected = Array([[UInt8]](repeating: page, count: 16).joined())
        #expect(output.body == expected)
    }
}
