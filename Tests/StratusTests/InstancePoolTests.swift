import Foundation
import Synchronization
import StratusEngine
import Testing

/// Pooled instances: an invocation reuses an instance put back to its snapshot, and sees
/// nothing an earlier invocation left in memory, globals, tables, or its WASI streams.
@Suite struct InstancePoolTests {
    /// An engine that makes instances only when asked, so a test knows which one serves.
    private static func engine() -> WasmEngine {
        var limits = EngineLimits()
        limits.pool.fillAhead = false
        return WasmEngine(limits: limits, choice: .wasmkit)
    }

    /// Answers with what it finds (8 bytes of memory at 100, a mutable global, table slot 1's
    /// function result), then leaves its input there as a secret, sets the global and points
    /// table slot 1 at another function.
    static let snoop = """
    (module
      (import "stratus" "input" (func $input (result i32)))
      (import "stratus" "buf_read" (func $buf_read (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (global $secret (mut i32) (i32.const 0))
      (type $num (func (result i32)))
      (table 2 funcref)
      (elem (i32.const 0) $zero $zero)
      (func $zero (result i32) (i32.const 0))
      (func $leak (result i32) (i32.const 0x5EC2E7))
      (func (export "handle")
        (i32.store (i32.const 200) (global.get $secret))
        (i32.store (i32.const 204) (call_indirect (type $num) (i32.const 1)))
        (drop (call $out_write (i32.const 100) (i32.const 8)))
        (drop (call $out_write (i32.const 200) (i32.const 8)))
        (drop (call $buf_read (call $input) (i32.const 0) (i32.const 100) (i32.const 8)))
        (global.set $secret (i32.const 0x5EC2E7))
        (table.set (i32.const 1) (ref.func $leak)))
      (elem declare func $leak))
    """

    @Test("a pooled instance shows the next invocation nothing of the last: memory, global and table are put back")
    func noStateLeaks() throws {
        let engine = Self.engine()
        let compiled = try WATGuest.compile(Self.snoop, engine: engine)
        let context = ["app": "a", "function": "snoop"]
        let clean = [UInt8](repeating: 0, count: 16)
        for secret in ["password", "hunter22", "letmein!"] {
            let output = try engine.invoke(compiled, Invocation(input: Array(secret.utf8), context: context), host: EngineHostDouble.denying)
            #expect(output.body == clean, "invocation after writing a secret saw \(output.body)")
        }
        // One instance served all three: the test proves the reset, not fresh instances.
        #expect(engine.instancesMade == 1)
        #expect(engine.idleInstances(compiled, app: "a", function: "snoop") == 1)
    }

    /// 17 pages, past the size from which the kernel tracks which pages an invocation writes.
    /// Answers 8 bytes at each of six places: the first bytes and the last (data, at the
    /// memory's edges), two in the middle, across a 64 KiB page boundary, and where a host call writes;
    /// then overwrites them all, the last through `buf_read`. Input `fill` also overwrites a
    /// quarter of the memory (past what tracking its written pages pays for); `grow` grows it.
    static let largeSnoop = """
    (module
      (import "stratus" "input" (func $input (result i32)))
      (import "stratus" "buf_read" (func $buf_read (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "buf_len" (func $buf_len (param i32) (result i32)))
      (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
      (memory (export "memory") 17)
      (data (i32.const 0x10) "data-start")
      (data (i32.const 0x10FFF0) "data-end")
      (func $probe (param $at i32)
        (drop (call $out_write (local.get $at) (i32.const 8)))
        (i64.store (local.get $at) (i64.const 0x5EC2E75EC2E75EC2)))
      (func (export "handle") (local $in i32)
        (call $probe (i32.const 0x10))
        (call $probe (i32.const 0x2007B))
        (call $probe (i32.const 0x7FFFC))
        (call $probe (i32.const 0x50000))
        (call $probe (i32.const 0x10FFF0))
        (drop (call $out_write (i32.const 0x90000) (i32.const 8)))
        (local.set $in (call $input))
        (drop (call $buf_read (local.get $in) (i32.const 0) (i32.const 0x90000) (i32.const 8)))
        (if (i32.eq (call $buf_len (local.get $in)) (i32.const 4))
          (then (drop (memory.grow (i32.const 1))) (i64.store (i32.const 0x110008) (i64.const -1))))
        (if (i32.eq (call $buf_len (local.get $in)) (i32.const 3))
          (then (memory.fill (i32.const 0x30000) (i32.const 0x5E) (i32.const 0x40000))))))
    """

    @Test("a large memory is put back exactly: pages the guest and a host call wrote, its edges, much of it, after it grew")
    func largeMemoriesArePutBack() throws {
        var limits = EngineLimits()
        limits.pool.fillAhead = false
        // One engine makes its instance on the request's path; the other ahead, which gives
        // its zero pages back to the system, so the guest's writes there fall on unmapped pages.
        let engines = [WasmEngine(limits: limits, choice: .wasmkit), WasmEngine(choice: .wasmkit)]
        for engine in engines {
            let compiled = try WATGuest.compile(Self.largeSnoop, engine: engine)
            let invocation = { (input: String) in Invocation(input: Array(input.utf8), context: ["app": "a", "function": "large"]) }
            engine.prewarm(compiled, invocation(""))
            let ahead = engine !== engines[0]
            while ahead, engine.idleInstances(compiled, app: "a", function: "large") == 0 { usleep(1000) }
            let clean = Array("data-sta".utf8) + [UInt8](repeating: 0, count: 24) + Array("data-end".utf8) + [UInt8](repeating: 0, count: 8)
            for input in ["password", "hunter22", "fil", "letmein!", "grow", "whatever"] {
                let output = try engine.invoke(compiled, invocation(input), host: EngineHostDouble.denying)
                #expect(output.body == clean, "after a secret, the next invocation saw \(output.body)")
            }
            if !ahead { #expect(engine.instancesMade == 1) }
        }
    }

    /// Its set-up keeps the input of the invocation that made the instance; each invocation
    /// answers what set-up left, then overwrites it.
    static let remembersFirstInput = """
    (module
      (import "stratus" "input" (func $input (result i32)))
      (import "stratus" "buf_read" (func $buf_read (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_initialize") (drop (call $buf_read (call $input) (i32.const 0) (i32.const 0) (i32.const 8))))
      (func (export "handle")
        (drop (call $out_write (i32.const 0) (i32.const 8)))
        (i64.store (i32.const 0) (i64.const 0x5858585858585858))))
    """

    @Test("instances whose set-up left different memory are each put back to their own")
    func snapshotsFollowEachInstancesSetUp() throws {
        let engine = Self.engine()
        let compiled = try WATGuest.compile(Self.remembersFirstInput, engine: engine)
        // Pools are per function, so the two functions of one module get an instance each.
        for (function, input) in [("one", "11111111"), ("two", "22222222"), ("one", "--------"), ("two", "--------")] {
            let output = try engine.invoke(compiled, Invocation(input: Array(input.utf8), context: ["app": "a", "function": function]),
                                           host: EngineHostDouble.denying)
            #expect(WATGuest.text(output.body) == (function == "one" ? "11111111" : "22222222"))
        }
        #expect(engine.instancesMade == 2)
    }

    @Test("a trapped instance is not reused")
    func trappedInstancesAreDropped() throws {
        let engine = Self.engine()
        let compiled = try WATGuest.compile("""
        (module (memory (export "memory") 1) (func (export "handle") unreachable))
        """, engine: engine)
        for _ in 0..<2 {
            _ = WATGuest.failure(engine, compiled, context: ["app": "a", "function": "trap"])
        }
        #expect(engine.instancesMade == 2)
        #expect(engine.idleInstances(compiled, app: "a", function: "trap") == 0)
    }

    @Test("a pooled WASI command reads each invocation's own standard input, environment and api://input")
    func wasiCommandsServeEachInvocationAfresh() throws {
        let engine = Self.engine()
        let compiled = try engine.compile(Repository.module("samples/cgi/cgi.wasm"), path: "cgi.wasm")
        for (query, body) in [("x=1", "first body"), ("y=2&z=3", "second"), ("", "")] {
            let context = ["method": "POST", "path": "/cgi", "query": query, "app": "a", "function": "cgi"]
            let output = try engine.invoke(compiled, Invocation(input: Array(body.utf8), context: context), host: EngineHostDouble.denying)
            #expect(WATGuest.text(output.body) == "method=POST path=/cgi query=\(query)\n\(body)")
        }
        #expect(engine.instancesMade == 1)
    }

    @Test("on wasmtime, a WASI command's kept session serves each invocation its own input, environment and api://input")
    func wasiSessionsServeEachInvocationAfresh() throws {
        let engine = try TestEngines.make(.wasmtime)
        let compiled = try engine.compile(Repository.module("samples/cgi/cgi.wasm"), path: "cgi.wasm")
        #expect(compiled.engine == .wasmtime)
        for (query, body) in [("x=1", "first body"), ("y=2&z=3", "second"), ("", ""), ("w=4", "fourth")] {
            let context = ["method": "POST", "path": "/cgi", "query": query, "app": "a", "function": "cgi"]
            let output = try engine.invoke(compiled, Invocation(input: Array(body.utf8), context: context), host: EngineHostDouble.denying)
            #expect(WATGuest.text(output.body) == "method=POST path=/cgi query=\(query)\n\(body)")
        }
    }

    @Test("idle instances are kept per function: another function of the same module gets its own")
    func poolsArePerFunction() throws {
        let engine = Self.engine()
        let compiled = try WATGuest.compile(Self.snoop, engine: engine)
        for function in ["one", "two", "one", "two"] {
            _ = try engine.invoke(compiled, Invocation(input: [], context: ["app": "a", "function": function]), host: EngineHostDouble.denying)
        }
        #expect(engine.instancesMade == 2)
    }

    @Test("with fill-ahead on, an instance is made in the background before the first invocation")
    func fillAheadMakesTheFirstInstance() async throws {
        let engine = WasmEngine(choice: .wasmkit)
        let compiled = try WATGuest.compile(Self.snoop, engine: engine)
        let invocation = Invocation(input: [], context: ["app": "a", "function": "snoop"])
        engine.prewarm(compiled, invocation)
        for _ in 0..<500 where engine.idleInstances(compiled, app: "a", function: "snoop") == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(engine.idleInstances(compiled, app: "a", function: "snoop") == 1)
        #expect(engine.instancesMade == 1)
        // The invocation takes it (another may be made meanwhile, as the last idle one went) and
        // puts it back.
        _ = try engine.invoke(compiled, invocation, host: EngineHostDouble.denying)
        #expect(engine.idleInstances(compiled, app: "a", function: "snoop") >= 1)
    }

    @Test("the pools of modules no deployed app uses any more are let go")
    func poolsOfRetiredModulesAreLetGo() throws {
        let engine = Self.engine()
        let invocation = Invocation(input: [], context: ["app": "a", "function": "f"])
        let kept = try WATGuest.compile(#"(module (memory (export "memory") 1) (func (export "handle")))"#, engine: engine)
        let retired = try WATGuest.compile(#"(module (memory (export "memory") 1) (func (export "handle") (nop)))"#, engine: engine)
        for compiled in [kept, retired] { _ = try engine.invoke(compiled, invocation, host: EngineHostDouble.denying) }
        #expect(engine.idleInstances(retired, app: "a", function: "f") == 1)
        engine.retainModules([kept.sha256])
        #expect(engine.idleInstances(kept, app: "a", function: "f") == 1)
        #expect(engine.idleInstances(retired, app: "a", function: "f") == 0)
    }

    @Test("instances idle longer than the idle timeout are let go, down to one")
    func idleInstancesAreTrimmed() async throws {
        var limits = EngineLimits()
        limits.pool.fillAhead = false
        limits.pool.idleTimeout = .milliseconds(500)
        let engine = WasmEngine(limits: limits, choice: .wasmkit)
        // Each run waits in a host call until both are there, so two instances are in use.
        let compiled = try WATGuest.compile("""
        (module
          (import "stratus" "call" (func $call (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "x")
          (func (export "handle") (drop (call $call (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))))
        """, engine: engine)
        let invocation = Invocation(input: [], context: ["app": "a", "function": "meet"])
        let host = Rendezvous(parties: 2)
        let group = DispatchGroup()
        for _ in 0..<2 {
            // Threads of their own: concurrentPerform may run the two one after the other.
            group.enter()
            Thread { _ = try? engine.invoke(compiled, invocation, host: host); group.leave() }.start()
        }
        group.wait()
        #expect(engine.idleInstances(compiled, app: "a", function: "meet") == 2)
        try await Task.sleep(for: .milliseconds(800))
        // A check-in lets go of the stale ones (the engine also trims every few seconds).
        _ = try engine.invoke(compiled, invocation, host: EngineHostDouble.denying)
        #expect(engine.idleInstances(compiled, app: "a", function: "meet") == 1)
    }
}

/// A host whose `call` returns once `parties` callers are in it (or after 10 s).
private final class Rendezvous: HostServices {
    private let arrived = Mutex(0)
    private let release = DispatchSemaphore(value: 0)
    private let parties: Int

    init(parties: Int) {
        self.parties = parties
    }

    func call(_ name: String, input: [UInt8]) -> HostResult<InvocationOutput> {
        let count = arrived.withLock { $0 += 1; return $0 }
        if count == parties {
            for _ in 0..<parties { release.signal() }
        }
        _ = release.wait(timeout: .now() + 10)
        return .success(InvocationOutput())
    }
}
