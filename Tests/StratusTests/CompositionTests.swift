import Foundation
import StratusEngine
import StratusModel
import StratusRuntime
import StratusStore
import Testing

/// Calls, module binding, sequences and map-reduce plans through a real platform with WAT guests.
@Suite struct CompositionTests {
    let dir: TemporaryDirectory
    let platform: Platform

    init() throws {
        dir = try TemporaryDirectory()
        platform = Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")), pool: WorkerPool(slots: 2))
    }

    private func call(_ app: String, _ name: String, _ input: String = "") async throws -> String {
        let output = try await platform.invoke(app: app, function: name, input: Array(input.utf8), trigger: "call")
        return String(decoding: output.body, as: UTF8.self)
    }

    /// The error of an invocation that must fail.
    private func failure(_ app: String, _ name: String, _ input: String = "",
                         sourceLocation: SourceLocation = #_sourceLocation) async -> StratusError? {
        do {
            let output = try await platform.invoke(app: app, function: name, input: Array(input.utf8), trigger: "call")
            Issue.record("expected a failure, got \(output.status) \(String(decoding: output.body, as: UTF8.self))", sourceLocation: sourceLocation)
        } catch let failure as InvocationFailure {
            return failure.error
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    private func deployError(_ bundle: AppBundle, sourceLocation: SourceLocation = #_sourceLocation) async -> StratusError? {
        do {
            _ = try await platform.deploy(bundle)
            Issue.record("expected the deploy to be refused", sourceLocation: sourceLocation)
        } catch let error as StratusError {
            return error
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    // MARK: Calls

    @Test func aCallReturnsTheCalleesOutputAndAFailedCalleeIsFailedForTheCaller() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "calls", [
            ("main", CompositionGuests.caller("upper", suffix: "!"), []),
            ("upper", CompositionGuests.appender("-callee"), []),
            ("trapper", CompositionGuests.caller("boom", suffix: "!"), []),
            ("boom", TestApps.trap, []),
            ("sneaky", CompositionGuests.caller("upper"), []),
            ("ghost", CompositionGuests.caller("missing"), []),
        ], functionExtra: ["main": "calls: [upper]", "trapper": "calls: [boom]", "ghost": "calls: [missing]"]))
        #expect(try await call("calls", "main", "in") == "in-callee!")
        // The callee's trap is FAILED (-6) for the caller, which goes on and answers.
        #expect(try await call("calls", "trapper") == "E6!")
        // Not in `calls:`: DENIED (-3); listed but not deployed: NOT_FOUND (-1).
        #expect(try await call("calls", "sneaky") == "E3")
        #expect(try await call("calls", "ghost") == "E1")
    }

    @Test func aSelfCallCycleEndsAtTheCallDepthWithLimit() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "cycle", [
            ("loop", CompositionGuests.caller("loop", suffix: "+"), []),
            ("short", CompositionGuests.caller("short", suffix: "+"), []),
        ], functionExtra: ["loop": "calls: [loop]", "short": "calls: [short]\nlimits:\n  call_depth: 5"]))
        // Invocations at depths 0 to 32 each append a +; the one at 32 gets LIMIT (-8).
        #expect(try await call("cycle", "loop") == "E8" + String(repeating: "+", count: 33))
        #expect(try await call("cycle", "short") == "E8" + String(repeating: "+", count: 6))
    }

    @Test func theDeepestAllowedCallChainFitsOnAWorkerThread() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "deep", [("loop", CompositionGuests.caller("loop", suffix: "+"), [])],
                                                      functionExtra: ["loop": "calls: [loop]\nlimits:\n  call_depth: \(SettingRange.callDepth.range.upperBound)"]))
        #expect(try await call("deep", "loop") == "E8" + String(repeating: "+", count: SettingRange.callDepth.range.upperBound + 1))
    }

    @Test func aCallAcrossAppsNeedsBothManifestsToAllowIt() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "lib", [("shout", CompositionGuests.appender("!!"), [])],
                                                      functionExtra: ["shout": "callers: [user/granted, friends]"]))
        _ = try await platform.deploy(TestApps.bundle(app: "user", [
            ("granted", CompositionGuests.caller("lib/shout"), []),
            ("ungranted", CompositionGuests.caller("lib/shout"), []),
            ("uninvited", CompositionGuests.caller("lib/shout"), []),
        ], functionExtra: ["granted": "calls: [lib/shout]", "uninvited": "calls: [lib/shout]"]))
        _ = try await platform.deploy(TestApps.bundle(app: "friends", [("any", CompositionGuests.caller("lib/shout"), [])],
                                                      functionExtra: ["any": "calls: [lib/shout]"]))
        #expect(try await call("user", "granted", "hey") == "hey!!")
        // The caller's `calls:` lacks it; the callee's `callers:` lacks the caller; an app listed whole.
        #expect(try await call("user", "ungranted", "hey") == "E3")
        #expect(try await call("user", "uninvited", "hey") == "E3")
        #expect(try await call("friends", "any", "hey") == "hey!!")
    }

    // MARK: Module binding

    @Test func aBoundImportRunsInTheCalleesOwnInstance() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "bind", [
            ("lib", CompositionGuests.library, []),
            ("user", CompositionGuests.binder(), []),
            ("crasher", CompositionGuests.binder(callBoom: true), []),
        ]))
        for _ in 0..<2 {
            // 40 + 2, and the library's own global saw exactly this invocation's two calls.
            let output = try await platform.invoke(app: "bind", function: "user", input: [], trigger: "call")
            #expect(WATGuest.int32s(output.body) == [42, 2])
        }
        let error = await failure("bind", "crasher")
        #expect(error?.code == "guest_trap")
    }

    @Test func aBindingCycleEndsAtTheCallDepth() async throws {
        func pingPong(_ other: String) -> String {
            """
            (module
              (import "\(other)" "f" (func $f (param i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "f") (param i32) (result i32) (call $f (i32.add (local.get 0) (i32.const 1))))
              (func (export "handle") (drop (call $f (i32.const 0)))))
            """
        }
        _ = try await platform.deploy(TestApps.bundle(app: "cycle", [("ping", pingPong("pong"), []), ("pong", pingPong("ping"), [])]))
        let error = await failure("cycle", "ping")
        #expect(error?.code == "call_depth")
    }

    @Test func aBindingThatDoesNotMatchTheExportIsRefusedAtDeploy() async throws {
        let wrongType = """
        (module
          (import "lib" "add" (func $add (param i64 i64) (result i64)))
          (memory (export "memory") 1)
          (func (export "handle") (drop (call $add (i64.const 1) (i64.const 2)))))
        """
        let error = await deployError(TestApps.bundle(app: "bind", [("lib", CompositionGuests.library, []), ("user", wrongType, [])]))
        #expect(error?.code == "binding_invalid")
        #expect(error?.message.contains("`lib.add` is imported as (i64, i64) -> (i64) but exported as (i32, i32) -> (i32)") == true)

        let missing = """
        (module (import "lib" "sub" (func (param i32 i32) (result i32))) (memory (export "memory") 1) (func (export "handle")))
        """
        let noExport = await deployError(TestApps.bundle(app: "bind", [("lib", CompositionGuests.library, []), ("user", missing, [])]))
        #expect(noExport?.code == "binding_invalid")
        #expect(noExport?.message.contains("exports no function `sub`") == true)

        let notAFunction = """
        (module (import "nolib" "add" (func (param i32 i32) (result i32))) (memory (export "memory") 1) (func (export "handle")))
        """
        let unknown = await deployError(TestApps.bundle(app: "bind", [("user", notAFunction, [])]))
        #expect(unknown?.code == "module_invalid")
        #expect(unknown?.message.contains("`nolib.add`") == true)
        #expect(platform.app(named: "bind") == nil, "a refused deploy stores nothing")
    }

    // MARK: Sequences

    @Test func aSequencePipesEachOutputIntoTheNextStep() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "seq", [
            ("a", CompositionGuests.appender("a"), []),
            ("b", CompositionGuests.appender("b"), []),
        ], extra: "sequences:\n  abba:\n    steps: [a, b, b, a]\n    http:\n      - POST /abba\n"))
        #expect(try await call("seq", "abba", ">") == ">abba")
        guard case .found(let match) = platform.lookup(method: "POST", path: "/abba") else {
            Issue.record("the sequence's route is missing")
            return
        }
        #expect(match.function == "abba")
    }

    @Test func aSequenceWhoseMiddleStepFailsStopsThere() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "seq", [
            ("a", CompositionGuests.appender("a"), []),
            ("boom", TestApps.trap, []),
            ("mark", CompositionGuests.marker, []),
        ], extra: "sequences:\n  broken:\n    steps: [a, boom, mark]\n", functionExtra: ["mark": "kv:\n  \"ran\": [set]"]))
        let error = await failure("seq", "broken")
        #expect(error?.code == "guest_trap")
        #expect(error?.message.hasPrefix("step 2 (`boom`) of sequence `broken`: ") == true)
        await #expect(throws: StratusError.self) { _ = try await platform.kvGet(app: "seq", key: "ran") }
    }

    @Test func aSequenceMustNameFunctionsOfItsApp() async throws {
        let error = await deployError(TestApps.bundle(app: "seq", [("a", CompositionGuests.appender("a"), [])],
                                                      extra: "sequences:\n  s:\n    steps: [a, nope]\n"))
        #expect(error?.code == "manifest_invalid")
        #expect(error?.message.contains("sequences.s.steps[1]: `nope` is not a function of this app") == true)
        let clash = await deployError(TestApps.bundle(app: "seq", [("a", CompositionGuests.appender("a"), [])],
                                                      extra: "sequences:\n  a:\n    steps: [a]\n"))
        #expect(clash?.message.contains("already the name") == true)
    }

    // MARK: Plans

    /// Plans whose map and reduce echo: the reduce's output is exactly the framed map outputs.
    private func echoPlans(split: String, extraFunctions: [(name: String, wat: String, routes: [String])] = []) async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "plans", [
            ("echo", TestApps.echo, []),
            ("picky", CompositionGuests.trapOnB, []),
        ] + extraFunctions, extra: """
        plans:
          p:
            map: echo
            reduce: echo
            split:
              \(split)
          failing:
            map: picky
            reduce: echo
            split:
              lines: 1
            parallelism: 2

        """))
    }

    private func framed(_ parts: [String]) -> [UInt8] {
        KVEntry.frame(parts.enumerated().map { KVEntry(key: Array(String($0.offset).utf8), value: Array($0.element.utf8)) })
    }

    @Test func aPlanSplitsByLinesAndReduceGetsThePartsInOrder() async throws {
        try await echoPlans(split: "lines: 2")
        let output = try await platform.invoke(app: "plans", function: "p", input: Array("a\nb\nc\nd\ne".utf8), trigger: "call")
        #expect(output.body == framed(["a\nb\n", "c\nd\n", "e"]))
    }

    @Test func aPlanSplitsByBytesAtLineEnds() async throws {
        try await echoPlans(split: "bytes: 4")
        let output = try await platform.invoke(app: "plans", function: "p", input: Array("ab\ncd\nefghij\nk".utf8), trigger: "call")
        // A line longer than the size is a part of its own: no word is ever cut.
        #expect(output.body == framed(["ab\n", "cd\n", "efghij\n", "k"]))
    }

    @Test func aPlanSplitsWithAFunction() async throws {
        var parts: [UInt8] = [2, 0, 0, 0] + Array("xy".utf8) + [1, 0, 0, 0] + Array("z".utf8)
        try await echoPlans(split: "function: cutter", extraFunctions: [("cutter", CompositionGuests.constant(parts), [])])
        let output = try await platform.invoke(app: "plans", function: "p", input: [], trigger: "call")
        #expect(output.body == framed(["xy", "z"]))

        parts.removeLast()  // a frame that claims more bytes than there are
        _ = try await platform.deploy(TestApps.bundle(app: "plans", [("echo", TestApps.echo, []),
                                                                     ("cutter", CompositionGuests.constant(parts), [])],
                                                      extra: "plans:\n  p:\n    map: echo\n    reduce: echo\n    split:\n      function: cutter\n"))
        let error = await failure("plans", "p")
        #expect(error?.code == "plan_split_invalid")
    }

    @Test func aFailedPartFailsThePlanWithThePartsError() async throws {
        try await echoPlans(split: "lines: 1")
        let error = await failure("plans", "failing", "a\nb\nc\n")
        #expect(error?.code == "guest_trap")
        #expect(error?.message.hasPrefix("part 1 of plan `failing` (map `picky`): ") == true)
        #expect(try await call("plans", "failing", "a\nc\n") == String(decoding: framed(["a\n", "c\n"]), as: UTF8.self))
    }

    @Test func aPlanIsCheckedAtDeploy() async throws {
        let error = await deployError(TestApps.bundle(app: "plans", [("echo", TestApps.echo, [])],
                                                      extra: "plans:\n  p:\n    map: echo\n    reduce: echo\n    split:\n      words: 3\n"))
        #expect(error?.message.contains("plans.p.split: unknown way to split `words`") == true)
        let noReduce = await deployError(TestApps.bundle(app: "plans", [("echo", TestApps.echo, [])],
                                                         extra: "plans:\n  p:\n    map: echo\n    split:\n      lines: 3\n"))
        #expect(noReduce?.message.contains("plans.p: missing `reduce:`") == true)
    }

    @Test func aGuestCanCallAPlanAndASequence() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "mix", [
            ("echo", TestApps.echo, []),
            ("a", CompositionGuests.appender("a"), []),
            ("toSeq", CompositionGuests.caller("twice", suffix: "."), []),
            ("toPlan", CompositionGuests.caller("whole"), []),
        ], extra: """
        sequences:
          twice:
            steps: [a, a]
        plans:
          whole:
            map: a
            reduce: echo
            split:
              lines: 10

        """, functionExtra: ["toSeq": "calls: [twice]", "toPlan": "calls: [whole]"]))
        #expect(try await call("mix", "toSeq", "x") == "xaa.")
        #expect(try await call("mix", "toPlan", "x") == String(decoding: framed(["xa"]), as: UTF8.self))
    }
}
