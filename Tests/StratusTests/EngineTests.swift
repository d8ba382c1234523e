import Foundation
import StratusEngine
import StratusModel
import Testing

/// Deploy-time checks of `WasmEngine.compile`, and the built C samples.
@Suite("Engine: deploy")
struct EngineDeployTests {
    let engine = WasmEngine()

    /// A module with one function of type `() -> (results)`, exported as `handle`, whose body is
    /// `body` (no locals; the `end` is added). Hand-assembled so that invalid bodies can be written.
    static func handleModule(results: [UInt8] = [], body: [UInt8]) -> [UInt8] {
        let code: [UInt8] = [0x00] + body + [0x0B]
        let codeSection: [UInt8] = [0x01, UInt8(code.count)] + code
        let typeSection: [UInt8] = [0x01, 0x60, 0x00, UInt8(results.count)] + results
        return [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
            + [0x01, UInt8(typeSection.count)] + typeSection
            + [0x03, 0x02, 0x01, 0x00]
            + [0x07, 0x0A, 0x01, 0x06] + Array("handle".utf8) + [0x00, 0x00]
            + [0x0A, UInt8(codeSection.count)] + codeSection
    }

    private func refusal(_ bytes: [UInt8], entry: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> StratusError? {
        let error = WATGuest.deployError(sourceLocation: sourceLocation) { _ = try engine.compile(bytes, entry: entry, path: "app/t.wasm") }
        #expect(error?.code == "module_invalid", sourceLocation: sourceLocation)
        #expect(error?.kind == .badRequest, sourceLocation: sourceLocation)
        #expect(error?.message.hasPrefix("app/t.wasm") == true, "the message names the file", sourceLocation: sourceLocation)
        return error
    }

    private func refusal(wat: String, entry: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> StratusError? {
        refusal(try WATGuest.binary(wat), entry: entry, sourceLocation: sourceLocation)
    }

    // MARK: Imports

    @Test("an import of stratus.nope is refused, naming it")
    func unknownStratusImport() throws {
        let error = try refusal(wat: """
            (module (import "stratus" "nope" (func (result i32))) (memory (export "memory") 1) (func (export "handle")))
            """)
        #expect(error?.message.contains("stratus.nope") == true)
    }

    @Test("an import from another module (env.foo) is refused, naming it")
    func foreignImport() throws {
        let error = try refusal(wat: """
            (module (import "env" "foo" (func)) (memory (export "memory") 1) (func (export "handle")))
            """)
        #expect(error?.message.contains("env.foo") == true)
    }

    @Test("an unknown WASI function is refused")
    func unknownWASIImport() throws {
        let error = try refusal(wat: """
            (module (import "wasi_snapshot_preview1" "no_such_call" (func (param i32) (result i32)))
              (memory (export "memory") 1) (func (export "_start")))
            """)
        #expect(error?.message.contains("wasi_snapshot_preview1.no_such_call") == true)
    }

    @Test("a host function imported with the wrong signature is refused")
    func wrongSignature() throws {
        let error = try refusal(wat: """
            (module (import "stratus" "out_write" (func (param i32) (result i32))) (memory (export "memory") 1) (func (export "handle")))
            """)
        #expect(error?.message.contains("stratus.out_write") == true)
        let clock = try refusal(wat: """
            (module (import "stratus" "now_ns" (func (result i32))) (memory (export "memory") 1) (func (export "handle")))
            """)
        #expect(clock?.message.contains("stratus.now_ns") == true)
        let compat = try refusal(wat: """
            (module (import "my-own-cluster" "get_url" (func (param i32 i32))) (memory (export "memory") 1) (func (export "handle")))
            """)
        #expect(compat?.message.contains("my-own-cluster.get_url") == true)
    }

    @Test("imports other than functions are refused")
    func nonFunctionImport() throws {
        let error = try refusal(wat: """
            (module (import "env" "memory" (memory 1)) (func (export "handle")))
            """)
        #expect(error?.message.contains("env.memory") == true)
    }

    // MARK: Validation

    @Test("bytes that are not a module are refused", arguments: [[UInt8](), [0, 1, 2, 3], [0x00, 0x61, 0x73, 0x6D, 0x02, 0, 0, 0]])
    func notAModule(bytes: [UInt8]) {
        _ = refusal(bytes)
    }

    @Test("a function body that does not validate is refused at deploy")
    func invalidBody() throws {
        // The valid twin, to show the hand-assembled module is otherwise right.
        let valid = try engine.compile(Self.handleModule(body: [0x41, 0x01, 0x41, 0x02, 0x6A, 0x1A]), path: "app/t.wasm")
        #expect(valid.entry == .export("handle"))
        // i32.add with one operand on the stack.
        let error = refusal(Self.handleModule(body: [0x41, 0x01, 0x6A, 0x1A]))
        #expect(error?.message.contains("validate") == true)
        // A body whose result has the wrong type.
        _ = refusal(Self.handleModule(results: [0x7F], body: [0x42, 0x01]))
    }

    @Test("a function that is never called is validated too")
    func invalidUnusedFunction() throws {
        let text = """
            (module (memory (export "memory") 1)
              (func $never (result i32) (i64.const 1))
              (func (export "handle")))
            """
        // The assembler does not type-check; the deploy does, for every function.
        let error = refusal(try WATGuest.binary(text))
        #expect(error?.message.contains("validate") == true)
    }

    // MARK: Entry points

    @Test("a module exporting neither handle nor _start is refused, mentioning handle")
    func noEntry() throws {
        let error = try refusal(wat: #"(module (memory (export "memory") 1) (func (export "main")))"#)
        #expect(error?.message.contains("handle") == true)
    }

    @Test("an entry naming a missing export is refused, naming it")
    func missingEntry() throws {
        let error = try refusal(wat: #"(module (memory (export "memory") 1) (func (export "handle")))"#, entry: "serve")
        #expect(error?.message.contains("serve") == true)
        // An export that is not a function does not count.
        let memory = try refusal(wat: #"(module (memory (export "memory") 1) (func (export "handle")))"#, entry: "memory")
        #expect(memory?.message.contains("memory") == true)
    }

    @Test("an entry that takes parameters is refused")
    func entryWithParameters() throws {
        let error = try refusal(wat: #"(module (memory (export "memory") 1) (func (export "handle") (param i32)))"#)
        #expect(error?.message.contains("handle") == true)
    }

    @Test("a named entry runs instead of handle; handle wins over _start", arguments: TestEngines.both)
    func namedEntry(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let wat = WATGuest.stratusGuest(data: [(0, "handle"), (16, "other")], "(drop (call $out_write (i32.const 0) (i32.const 6)))")
            .replacingOccurrences(of: "(func (export \"handle\")", with: """
            (func (export "other") (drop (call $out_write (i32.const 16) (i32.const 5))))
              (func (export "_start") unreachable)
              (func (export "handle")
            """)
        let bytes = try WATGuest.binary(wat)
        let byDefault = try engine.compile(bytes, path: "t.wat")
        #expect(byDefault.entry == .export("handle"))
        #expect(WATGuest.text(try engine.invoke(byDefault, Invocation(input: [], context: [:]), host: EngineHostDouble.denying).body) == "handle")
        let other = try engine.compile(bytes, entry: "other", path: "t.wat")
        #expect(other.entry == .export("other"))
        #expect(WATGuest.text(try engine.invoke(other, Invocation(input: [], context: [:]), host: EngineHostDouble.denying).body) == "other")
        #expect(try engine.compile(bytes, entry: "_start", path: "t.wat").entry == .command)
    }

    @Test("a start function is not run at deploy", arguments: TestEngines.both)
    func startFunctionNotRunAtDeploy(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let compiled = try WATGuest.compile("""
            (module (memory (export "memory") 1)
              (func $boom unreachable)
              (start $boom)
              (func (export "handle")))
            """, engine: engine)
        // It runs when an instance is made, for an invocation.
        #expect(WATGuest.failure(engine, compiled)?.error.code == "guest_trap")
    }

    // MARK: Cache and metadata

    @Test("compiling the same bytes twice gives the same module; the hash is the bytes' sha256")
    func compileCache() throws {
        let bytes = try WATGuest.binary(EngineTestGuests.echo)
        let first = try engine.compile(bytes, path: "a.wasm")
        let second = try engine.compile(bytes, path: "b.wasm")
        #expect(first.sha256 == second.sha256)
        #expect(first.sha256 == WasmEngine.sha256(bytes))
        #expect(first.sha256.count == 64)
        #expect(first.entry == .export("handle"))
        #expect(!first.usesWASI)
        // Another engine agrees on the hash.
        #expect(try WasmEngine().compile(bytes, path: "c.wasm").sha256 == first.sha256)
        #expect(WasmEngine.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    // MARK: WAT text

    @Test("WAT text is assembled; bad text is module_invalid naming the file; .wasm bytes pass through")
    func watText() throws {
        let binary = try WasmEngine.binary(from: Array(#"(module (func (export "handle")))"#.utf8), path: "x.wat")
        #expect(Array(binary.prefix(4)) == [0x00, 0x61, 0x73, 0x6D])
        let bad = WATGuest.deployError { _ = try WasmEngine.binary(from: Array("(module (func".utf8), path: "broken.wat") }
        #expect(bad?.code == "module_invalid")
        #expect(bad?.message.contains("broken.wat") == true)
        let notText = WATGuest.deployError { _ = try WasmEngine.binary(from: [0xFF, 0xFE, 0x28], path: "bin.wat") }
        #expect(notText?.code == "module_invalid")
        #expect(try WasmEngine.binary(from: [1, 2, 3], path: "x.wasm") == [1, 2, 3])
    }

    @Test("the WAT sample samples/wat/echo.wat echoes its input", arguments: TestEngines.both)
    func watEchoSample(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let bytes = try Repository.module("samples/wat/echo.wat")
        let compiled = try engine.compile(WasmEngine.binary(from: bytes, path: "echo.wat"), path: "echo.wat")
        let input = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let output = try engine.invoke(compiled, Invocation(input: input, context: [:]), host: EngineHostDouble.denying)
        #expect(output.body == input)
        #expect(output.headers == [Header("Content-Type", "application/octet-stream")])
    }
}

/// The C samples built by scripts/build-samples.sh.
@Suite("Engine: C samples")
struct EngineSampleTests {
    let engine = WasmEngine()

    @Test("hello greets the route parameter, with X-Hello: stratus", arguments: TestEngines.both)
    func hello(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let compiled = try engine.compile(Repository.module("samples/hello/hello.wasm"), path: "hello.wasm")
        #expect(compiled.entry == .export("handle"))
        #expect(!compiled.usesWASI)
        let output = try engine.invoke(compiled, Invocation(input: [], context: ["method": "GET", "param.name": "Ada"]),
                                       host: EngineHostDouble.denying)
        #expect(output.status == 200)
        #expect(WATGuest.text(output.body) == "Hello, Ada!")
        #expect(output.headers.contains(Header("X-Hello", "stratus")))
        #expect(output.headers.contains(Header("Content-Type", "text/plain; charset=utf-8")))

        let world = try engine.invoke(compiled, Invocation(input: [], context: ["method": "GET"]), host: EngineHostDouble.denying)
        #expect(WATGuest.text(world.body) == "Hello, world!")
        let posted = try engine.invoke(compiled, Invocation(input: Array("Bob".utf8), context: ["method": "POST"]),
                                       host: EngineHostDouble.denying)
        #expect(WATGuest.text(posted.body) == "Hello, Bob")
    }

    @Test("uppercase uppercases 1 MiB of standard input", arguments: TestEngines.both)
    func uppercase(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let compiled = try engine.compile(Repository.module("samples/uppercase/uppercase.wasm"), path: "uppercase.wasm")
        #expect(compiled.entry == .command)
        #expect(compiled.usesWASI)
        let line = Array("the quick brown fox, Jumps over 13 lazy dogs: ÄÖü ñ\n".utf8)
        let input = Array((0..<(1 << 20)).lazy.map { line[$0 % line.count] })
        let output = try engine.invoke(compiled, Invocation(input: input, context: [:]), host: EngineHostDouble.denying)
        let expected = input.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        #expect(output.status == 200)
        #expect(output.body.count == 1 << 20)
        #expect(output.body == expected)
        #expect(output.logs.isEmpty)
    }

    @Test("cgi prints its environment and api://input after CGI headers", arguments: TestEngines.both)
    func cgi(_ choice: EngineChoice) throws {
        let engine = try TestEngines.make(choice)
        let compiled = try engine.compile(Repository.module("samples/cgi/cgi.wasm"), path: "cgi.wasm")
        #expect(compiled.entry == .command)
        let context = ["method": "PUT", "path": "/cgi/items", "query": "x=1&y=2", "function": "cgi"]
        let output = try engine.invoke(compiled, Invocation(input: Array("the request body".utf8), context: context),
                                       host: EngineHostDouble.denying)
        #expect(output.status == 200)
        #expect(output.headers == [Header("Content-Type", "text/plain")])
        #expect(WATGuest.text(output.body) == "method=PUT path=/cgi/items query=x=1&y=2\nthe request body")
        #expect(output.logs.isEmpty, "no perror: api://input opened")
    }
}

/// The limits the engine puts on one invocation.
@Suite("Engine: limits")
struct EngineLimitTests {
    @Test("out_write past the output limit answers TOO_LARGE and writes nothing", arguments: TestEngines.both)
    func outputLimit(_ choice: EngineChoice) throws {
        var limits = EngineLimits()
        limits.maxOutputBytes = 24
        let guest = WATGuest.stratusGuest(data: [(0, "0123456789abcdefghij")], """
            (call $rec (call $out_write (i32.const 0) (i32.const 12)))
            (call $rec (call $out_write (i32.const 0) (i32.const 13)))
        """)
        let output = try WATGuest.run(guest, engine: try TestEngines.make(choice, limits: limits))
        #expect(WATGuest.text(output.body.prefix(12)) == "0123456789ab")
        #expect(WATGuest.int32s(output.body.dropFirst(12)) == [0, -4])
    }

    @Test("holding more buffers than the limit answers LIMIT; freeing one makes room", arguments: TestEngines.both)
    func bufferLimit(_ choice: EngineChoice) throws {
        var limits = EngineLimits()
        limits.maxBuffers = 2
        let guest = WATGuest.stratusGuest(locals: "(local $a i32)", """
            (local.set $a (call $input))
            (call $rec (i32.gt_s (local.get $a) (i32.const 0)))
            (call $rec (i32.gt_s (call $input) (i32.const 0)))
            (call $rec (call $input))
            (call $rec (call $buf_free (local.get $a)))
            (call $rec (i32.gt_s (call $input) (i32.const 0)))
        """)
        let output = try WATGuest.run(guest, engine: try TestEngines.make(choice, limits: limits))
        #expect(WATGuest.int32s(output.body) == [1, 1, -8, 0, 1])
    }

    @Test("log lines past the log limit are dropped with one marker", arguments: TestEngines.both)
    func logLimit(_ choice: EngineChoice) throws {
        var limits = EngineLimits()
        limits.maxLogBytes = 10
        let guest = WATGuest.stratusGuest(data: [(0, "12345678"), (16, "abcdef")], """
            (call $rec (call $log (i32.const 1) (i32.const 0) (i32.const 8)))
            (call $rec (call $log (i32.const 1) (i32.const 16) (i32.const 6)))
            (call $rec (call $log (i32.const 1) (i32.const 16) (i32.const 1)))
        """)
        let output = try WATGuest.run(guest, engine: try TestEngines.make(choice, limits: limits))
        #expect(WATGuest.int32s(output.body) == [0, 0, 0])
        try #require(output.logs.count == 2)
        #expect(output.logs[0] == LogLine(.info, "12345678"))
        #expect(output.logs[1].level == .warn)
        #expect(output.logs[1].message.contains("truncated"))
    }
}
