import Foundation
import StratusEngine
import StratusModel
import Testing

/// WASI commands (`_start`), run CGI style: stdin, stdout, stderr, exit codes, environment,
/// arguments and the `api:` files.
@Suite("Engine: WASI commands")
struct EngineWASITests {
    /// A WASI command with two pages of memory, `data` segments, and helpers: `$write(fd, ptr, len)`
    /// (traps unless fd_write succeeds), and the WASI imports used below. Addresses 0xB000... are
    /// the helpers' scratch space.
    static func command(data: [(Int, String)] = [], locals: String = "", _ body: String) -> String {
        """
        (module
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open"
            (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (memory (export "memory") 2)
        \(data.map { "  (data (i32.const \($0.0)) \"\(WATGuest.literal($0.1))\")" }.joined(separator: "\n"))
          (func $write (param $fd i32) (param $ptr i32) (param $len i32)
            (i32.store (i32.const 0xB000) (local.get $ptr))
            (i32.store (i32.const 0xB004) (local.get $len))
            (if (call $fd_write (local.get $fd) (i32.const 0xB000) (i32.const 1) (i32.const 0xB008)) (then unreachable)))
          (func (export "_start") \(locals)
        \(body)
          )
        )
        """
    }

    /// A command that writes `text` to `fd`, then calls proc_exit(`exit`) if given.
    static func writer(_ text: String, fd: Int = 1, exit: Int? = nil) -> String {
        command(data: [(0, text)], """
            (call $write (i32.const \(fd)) (i32.const 0) (i32.const \(text.utf8.count)))
            \(exit.map { "(call $proc_exit (i32.const \($0)))" } ?? "")
        """)
    }

    private func run(_ engine: WasmEngine, _ wat: String, input: [UInt8] = [], context: [String: String] = [:]) throws -> InvocationOutput {
        let compiled = try WATGuest.compile(wat, engine: engine)
        #expect(compiled.entry == .command)
        #expect(compiled.usesWASI)
        return try engine.invoke(compiled, Invocation(input: input, context: context), host: EngineHostDouble.denying)
    }

    @Test("standard input is the input and standard output the body", arguments: TestEngines.both)
    func echo(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let wat = Self.command(locals: "(local $n i32)", """
            (loop $next
              ;; one iovec at 0x100: page 1, 64 KiB
              (i32.store (i32.const 0x100) (i32.const 0x10000))
              (i32.store (i32.const 0x104) (i32.const 0x10000))
              (if (call $fd_read (i32.const 0) (i32.const 0x100) (i32.const 1) (i32.const 0x108)) (then unreachable))
              (local.set $n (i32.load (i32.const 0x108)))
              (if (i32.eqz (local.get $n)) (then return))
              (call $write (i32.const 1) (i32.const 0x10000) (local.get $n))
              (br $next))
        """)
        let input = (0..<200_000).map { UInt8($0 % 253) }
        let output = try run(engine, wat, input: input)
        #expect(output.status == 200)
        #expect(output.headers.isEmpty)
        #expect(output.body == input)
        #expect(try run(engine, wat).body.isEmpty, "an empty input reads as end of file")
    }

    @Test("CGI header lines set the status and headers and are taken off the body", arguments: TestEngines.both)
    func cgiHeaders(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let output = try run(engine, Self.writer("Status: 404\r\nContent-Type: text/plain\r\n\r\nnot here"))
        #expect(output.status == 404)
        #expect(output.headers == [Header("Content-Type", "text/plain")])
        #expect(WATGuest.text(output.body) == "not here")
    }

    @Test("a redirect: Status with a reason phrase and Location, bare LF line ends", arguments: TestEngines.both)
    func cgiRedirect(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let output = try run(engine, Self.writer("Status: 302 Found\nLocation: /elsewhere\nX-Extra:  padded \n\n"))
        #expect(output.status == 302)
        #expect(output.headers == [Header("Location", "/elsewhere"), Header("X-Extra", "padded")])
        #expect(output.body.isEmpty)
    }

    @Test("text that only looks like headers stays in the body", arguments: [
        "Foo: bar\n\nx",
        "Content-Type: text/plain but no blank line",
        "no colon here\n\nContent-Type: text/plain\n\n",
        "Content Type: x\n\nbody",
    ], TestEngines.both)
    func notCGIHeaders(text: String, choice: EngineChoice) throws {
        let output = try run(try TestEngines.make(choice), Self.writer(text))
        #expect(output.status == 200)
        #expect(output.headers.isEmpty)
        #expect(WATGuest.text(output.body) == text)
    }

    @Test("proc_exit with a non-zero status is a guest_exit failure", arguments: TestEngines.both)
    func exitFailure(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let compiled = try WATGuest.compile(Self.command(data: [(0, "about to fail\n")], """
            (call $write (i32.const 2) (i32.const 0) (i32.const 14))
            (call $proc_exit (i32.const 3))
            unreachable
        """), engine: engine)
        let failure = try #require(WATGuest.failure(engine, compiled))
        #expect(failure.error.code == "guest_exit")
        #expect(failure.error.kind == .guestFailure)
        #expect(failure.error.message.contains("3"))
        #expect(failure.logs.map(\.message) == ["about to fail"], "standard error written before the exit is kept")
        // The engine runs the next command normally.
        let output = try run(engine, Self.writer("after"))
        #expect(WATGuest.text(output.body) == "after")
    }

    @Test("proc_exit(0) is a success and keeps what was written", arguments: TestEngines.both)
    func exitSuccess(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let output = try run(engine, Self.command(data: [(0, "done")], """
            (call $write (i32.const 1) (i32.const 0) (i32.const 4))
            (call $proc_exit (i32.const 0))
            unreachable
        """))
        #expect(output.status == 200)
        #expect(WATGuest.text(output.body) == "done")
    }

    @Test("a trap in a command is a guest_trap", arguments: TestEngines.both)
    func commandTrap(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let compiled = try WATGuest.compile(Self.command("unreachable"), engine: engine)
        #expect(WATGuest.failure(engine, compiled)?.error.code == "guest_trap")
    }

    @Test("standard error becomes log lines, a last line without a newline included", arguments: TestEngines.both)
    func standardError(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let output = try run(engine, Self.command(data: [(0, "first line\nsecond "), (32, "half\nlast")], """
            (call $write (i32.const 2) (i32.const 0) (i32.const 18))
            (call $write (i32.const 2) (i32.const 32) (i32.const 9))
        """))
        #expect(output.body.isEmpty)
        #expect(output.logs.map(\.message) == ["first line", "second half", "last"])
    }

    @Test("the environment carries the CGI variables, HTTP_ headers and the app's variables", arguments: TestEngines.both)
    func environment(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let output = try run(engine, Self.command(locals: "(local $count i32) (local $size i32)", """
            (if (call $environ_sizes_get (i32.const 0x100) (i32.const 0x104)) (then unreachable))
            (if (call $environ_get (i32.const 0x1000) (i32.const 0x4000)) (then unreachable))
            (call $write (i32.const 1) (i32.const 0x4000) (i32.load (i32.const 0x104)))
        """), input: Array("abc".utf8), context: [
            "method": "PUT", "path": "/items/7", "query": "a=1&b=two", "header.x-test": "yes",
            "header.content-type": "text/csv", "var.greeting": "hello there", "param.id": "7",
            "function": "envdump", "app": "demo",
        ])
        let env = Self.environment(output.body)
        #expect(env["REQUEST_METHOD"] == "PUT")
        #expect(env["PATH_INFO"] == "/items/7")
        #expect(env["QUERY_STRING"] == "a=1&b=two")
        #expect(env["CONTENT_LENGTH"] == "3")
        #expect(env["CONTENT_TYPE"] == "text/csv")
        #expect(env["HTTP_X_TEST"] == "yes")
        #expect(env["greeting"] == "hello there")
        #expect(env["PARAM_id"] == "7")
        #expect(env["STRATUS_FUNCTION"] == "envdump")
        #expect(env["STRATUS_APP"] == "demo")
        #expect(env["GATEWAY_INTERFACE"] == "CGI/1.1")
    }

    @Test("without request context the CGI variables have defaults", arguments: TestEngines.both)
    func environmentDefaults(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let output = try run(engine, Self.command("""
            (if (call $environ_sizes_get (i32.const 0x100) (i32.const 0x104)) (then unreachable))
            (if (call $environ_get (i32.const 0x1000) (i32.const 0x4000)) (then unreachable))
            (call $write (i32.const 1) (i32.const 0x4000) (i32.load (i32.const 0x104)))
        """))
        let env = Self.environment(output.body)
        #expect(env["REQUEST_METHOD"] == "POST")
        #expect(env["PATH_INFO"] == "/")
        #expect(env["QUERY_STRING"] == "")
        #expect(env["CONTENT_LENGTH"] == "0")
        #expect(env["CONTENT_TYPE"] == nil)
    }

    /// `KEY=VALUE\0...` as environ_get lays it out.
    static func environment(_ bytes: [UInt8]) -> [String: String] {
        var env: [String: String] = [:]
        for entry in bytes.split(separator: 0) {
            let text = WATGuest.text(entry)
            guard let equals = text.firstIndex(of: "=") else { continue }
            env[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return env
    }

    @Test("the arguments are the function's name", arguments: TestEngines.both)
    func arguments(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let wat = Self.command("""
            (if (call $args_sizes_get (i32.const 0x100) (i32.const 0x104)) (then unreachable))
            (if (call $args_get (i32.const 0x1000) (i32.const 0x2000)) (then unreachable))
            (i32.store (i32.const 0x108) (i32.load (i32.const 0x100)))
            (call $write (i32.const 1) (i32.const 0x108) (i32.const 4))
            (call $write (i32.const 1) (i32.const 0x2000) (i32.load (i32.const 0x104)))
        """)
        let output = try run(engine, wat, context: ["function": "resize"])
        #expect(WATGuest.int32s(output.body.prefix(4)) == [1])
        #expect(WATGuest.text(output.body.dropFirst(4)) == "resize\0")
    }

    @Test("the preopened api: directory gives api://input and api://output", arguments: TestEngines.both)
    func apiFiles(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        // Each WASI call's errno is stored at 0x400 + 4·i and written last, so a failure shows which.
        let wat = Self.command(data: [(0, "input"), (16, "output"), (32, "|")], locals: "(local $in i32) (local $out i32)", """
            ;; fd 3 is the preopened directory for "api:"; its name goes first in the body.
            (i32.store (i32.const 0x3FC) (call $fd_prestat_get (i32.const 3) (i32.const 0x1F0)))
            (i32.store (i32.const 0x400)
              (call $fd_prestat_dir_name (i32.const 3) (i32.const 0x200) (i32.load (i32.const 0x1F4))))
            (call $write (i32.const 1) (i32.const 0x200) (i32.load (i32.const 0x1F4)))
            (call $write (i32.const 1) (i32.const 32) (i32.const 1))
            (i32.store (i32.const 0x404)
              (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 0)
                               (i64.const 0x1FFFFFFF) (i64.const 0x1FFFFFFF) (i32.const 0) (i32.const 0x300)))
            (local.set $in (i32.load (i32.const 0x300)))
            (i32.store (i32.const 0x408)
              (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 6) (i32.const 0)
                               (i64.const 0x1FFFFFFF) (i64.const 0x1FFFFFFF) (i32.const 0) (i32.const 0x300)))
            (local.set $out (i32.load (i32.const 0x300)))
            ;; copy api://input to api://output
            (i32.store (i32.const 0x100) (i32.const 0x10000))
            (i32.store (i32.const 0x104) (i32.const 0x10000))
            (i32.store (i32.const 0x40C) (call $fd_read (local.get $in) (i32.const 0x100) (i32.const 1) (i32.const 0x108)))
            (i32.store (i32.const 0x100) (i32.const 0x10000))
            (i32.store (i32.const 0x104) (i32.load (i32.const 0x108)))
            (i32.store (i32.const 0x410) (call $fd_write (local.get $out) (i32.const 0x100) (i32.const 1) (i32.const 0x108)))
            (i32.store (i32.const 0x414) (call $fd_close (local.get $in)))
            (i32.store (i32.const 0x418) (call $fd_close (local.get $out)))
            (call $write (i32.const 1) (i32.const 32) (i32.const 1))
            (call $write (i32.const 1) (i32.const 0x3FC) (i32.const 32))
        """)
        let output = try run(engine, wat, input: Array("payload".utf8))
        let text = WATGuest.text(output.body.dropLast(32))
        // wasi-libc resolves "api://input" against the working directory "/", so the preopen may
        // be named "/api:" as well as "api:".
        #expect(text == "api:|payload|" || text == "/api:|payload|")
        #expect(WATGuest.int32s(output.body.suffix(32)) == [0, 0, 0, 0, 0, 0, 0, 0], "WASI errnos")
    }

    @Test("a command may import stratus too; all writes go to one body, in order", arguments: TestEngines.both)
    func commandWithStratusImports(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let wat = Self.command(data: [(0, "a"), (1, "b"), (2, "c"), (16, "X-Mixed"), (32, "1")], """
            (call $write (i32.const 1) (i32.const 0) (i32.const 1))
            (drop (call $out_write (i32.const 1) (i32.const 1)))
            (call $write (i32.const 1) (i32.const 2) (i32.const 1))
            (drop (call $out_header (i32.const 16) (i32.const 7) (i32.const 32) (i32.const 1)))
            (drop (call $out_status (i32.const 202)))
        """).replacingOccurrences(of: "  (memory (export", with: """
              (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
              (import "stratus" "out_header" (func $out_header (param i32 i32 i32 i32) (result i32)))
              (import "stratus" "out_status" (func $out_status (param i32) (result i32)))
              (memory (export
            """)
        let output = try run(engine, wat)
        #expect(WATGuest.text(output.body) == "abc")
        #expect(output.status == 202)
        #expect(output.headers == [Header("X-Mixed", "1")])
    }
}
