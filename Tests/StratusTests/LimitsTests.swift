import Foundation
import StratusEngine
import StratusModel
import StratusRuntime
import StratusStore
import Testing

/// Time, memory and stack limits with runaway guests, through a real platform and server.
@Suite struct LimitsTests {
    /// Loops forever without calling the host.
    static let spin = """
    (module (memory (export "memory") 1) (func (export "handle") (loop $l (br $l))))
    """
    /// Answers at once when its input is empty, else loops forever.
    static let spinIfAsked = """
    (module
      (import "stratus" "input" (func $input (result i32)))
      (import "stratus" "buf_len" (func $buf_len (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "handle")
        (if (i32.gt_s (call $buf_len (call $input)) (i32.const 0)) (then (loop $l (br $l))))))
    """
    /// Grows its memory a page at a time until growth fails, then traps.
    static let hog = """
    (module (memory (export "memory") 1)
      (func (export "handle") (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable))
    """
    /// Starts with 6.25 MiB of memory.
    static let big = """
    (module (memory (export "memory") 100) (func (export "handle")))
    """
    /// Recurses without end.
    static let recurse = """
    (module (memory (export "memory") 1) (func $r (call $r)) (func (export "handle") (call $r)))
    """

    private func failure(_ platform: Platform, _ app: String, _ function: String,
                         sourceLocation: SourceLocation = #_sourceLocation) async -> (StratusError, Duration)? {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let output = try await platform.invoke(app: app, function: function, input: [], trigger: "call")
            Issue.record("expected the invocation to be stopped; it answered \(output.status) \(String(decoding: output.body, as: UTF8.self)), logging \(output.logs.map(\.message))",
                         sourceLocation: sourceLocation)
        } catch let failure as InvocationFailure {
            return (failure.error, clock.now - start)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test(arguments: TestEngines.both)
    func eachLimitStopsItsRunawayGuestWithItsOwnCode(_ choice: EngineChoice) async throws {
        let dir = try TemporaryDirectory()
        let platform = Platform(store: try SQLiteStore(path: dir.file("s.sqlite")), engine: try TestEngines.make(choice),
                                pool: WorkerPool(slots: 2))
        _ = try await platform.deploy(TestApps.bundle(app: "runaway", [
            ("spin", Self.spin, []), ("hog", Self.hog, []), ("big", Self.big, []), ("recurse", Self.recurse, []),
        ], functionExtra: [
            "spin": "limits:\n  timeout_ms: 1000",
            "hog": "limits:\n  memory_mb: 4",
            "big": "limits:\n  memory_mb: 2",
        ]))
        let timeout = await failure(platform, "runaway", "spin")
        #expect(timeout?.0.code == "timeout")
        #expect(timeout?.0.httpStatus == 504)
        #expect(timeout?.0.message.contains("time limit of 1000 ms") == true)
        // Stopped by its own limit, before the server's default of 10 s. (The promise of an
        // answer within twice the limit is checked against a server process below: in this
        // process other tests' guests may hold every thread the answer needs.)
        #expect((timeout?.1 ?? .seconds(100)) < .seconds(9))
        // On its own here, the runaway stops within a few ticks of its limit.
        #expect((timeout?.1 ?? .seconds(100)) < .milliseconds(1500))

        let hog = await failure(platform, "runaway", "hog")
        #expect(hog?.0.code == "memory_limit")
        #expect(hog?.0.message.contains("past its limit of 4 MiB") == true)
        #expect(await failure(platform, "runaway", "big")?.0.code == "memory_limit")
        #expect(await failure(platform, "runaway", "recurse")?.0.code == "stack_overflow")
    }

    @Test func aCalleeNeverOutlivesItsCallersDeadline() async throws {
        let dir = try TemporaryDirectory()
        let platform = Platform(store: try SQLiteStore(path: dir.file("s.sqlite")), pool: WorkerPool(slots: 2))
        _ = try await platform.deploy(TestApps.bundle(app: "nested", [
            ("caller", CompositionGuests.caller("spin"), []),
            ("spin", Self.spin, []),
        ], functionExtra: ["caller": "calls: [spin]\nlimits:\n  timeout_ms: 300"]))
        // The callee has the default 10 s, but stops at its caller's deadline; the caller is
        // stopped at its next host call, past the deadline.
        let stopped = await failure(platform, "nested", "caller")
        #expect(stopped?.0.code == "timeout")
        #expect((stopped?.1 ?? .seconds(100)) < .seconds(9))
    }

    @Test func theServerAnswersWhileGuestsHoldEverySlot() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let deployed = try await server.deploy(TestApps.bundle(app: "busy", [
                ("spin", Self.spinIfAsked, ["POST /spin"]), ("whirl", Self.spinIfAsked, ["POST /whirl"]),
            ], functionExtra: ["spin": "limits:\n  timeout_ms: 5000", "whirl": "limits:\n  timeout_ms: 5000"]))
            #expect(deployed.status == 201)
            // Quick answers first, so that both functions run on the threads of their requests.
            for path in ["/spin", "/whirl"] {
                #expect(try await server.request(.POST, path).status == 200)
            }
            let finished = Finished()
            // Two slots, one function at most one of them: a spin and a whirl hold both. One
            // thread more is kept for the rest.
            let runaways = ["/spin", "/whirl"].map { path in
                Task {
                    let reply = try await server.request(.POST, path, body: Array("loop".utf8))
                    await finished.add()
                    return reply
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            let health = try await server.request(.GET, "/_stratus/health")
            let apps = try await server.request(.GET, "/_stratus/apps", admin: true)
            #expect(health.status == 200)
            #expect(apps.status == 200)
            #expect(apps.text.contains("busy"))
            #expect(await finished.count == 0, "the server answered while both guests were still running")
            for task in runaways {
                #expect(try await task.value.status == 504)
            }
        }
    }

    @Test func otherFunctionsAnswerWhileRunawayGuestsRun() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let deployed = try await server.deploy(TestApps.bundle(app: "mixed", [
                ("spin", Self.spin, ["GET /spin"]),
                ("hi", TestApps.greeter(text: "still here"), ["GET /hi"]),
            ], functionExtra: ["spin": "limits:\n  timeout_ms: 5000"]))
            #expect(deployed.status == 201)
            let finished = Finished()
            let runaways = (0..<3).map { _ in
                Task {
                    let reply = try await server.request(.GET, "/spin")
                    await finished.add()
                    return reply
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            // Three runaway requests, two workers: the gate lets `spin` hold one, `hi` gets the other.
            // Spins are answered at their limit (5 s, wide enough for a loaded debug build), so a
            // spin answered before `hi` would mean `hi` waited out a runaway.
            let hi = try await server.request(.GET, "/hi")
            #expect(hi.status == 200)
            #expect(hi.text == "still here")
            #expect(await finished.count == 0, "hi answered while every spin was still running or waiting")
            for task in runaways {
                let reply = try await task.value
                #expect(reply.status == 504)
                #expect(ErrorBody.decode(reply)?.code == "timeout")
            }
        }
    }
}

private actor Finished {
    var count = 0
    func add() { count += 1 }
}

/// The time limit as an HTTP client sees it, against a `stratus serve` process.
@Suite struct LimitsOverHTTPTests {
    @Test func aGuestThatLoopsForeverIsAnswered504WithinTwiceItsLimit() async throws {
        try await HostileServer.with { server in
            let deployed = try await server.deploy(TestApps.bundle(app: "runaway", [("spin", LimitsTests.spin, ["GET /spin"])],
                                                                   functionExtra: ["spin": "limits:\n  timeout_ms: 1000"]))
            #expect(deployed.status == 201, "\(deployed.text)")
            let start = ContinuousClock.now
            let reply = try await server.request(.GET, "/spin")
            let took = ContinuousClock.now - start
            #expect(reply.status == 504)
            #expect(reply.text.contains("\"timeout\""))
            #expect(took < .seconds(2), "answered after \(took)")
            try await server.expectIntact()
        }
    }
}
