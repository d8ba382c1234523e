import Foundation
import StratusEngine
import StratusModel
import StratusRuntime
import StratusStore
import Testing

/// KV triggers, spawns, retries and dead letters through the durable outbox and a running dispatcher.
@Suite struct EventTests {
    /// Writes `seen/KEY` = `TRIGGER|OP:INPUT` for each event it gets (KEY and OP empty when the
    /// context has none).
    static let recorder = WATGuest.stratusGuest(
        data: [(0x0FFB, "seen/"), (0x100, "key"), (0x110, "op"), (0x120, "trigger")], extraPages: 2,
        declarations: """
        (func $pos (param i32) (result i32) (select (local.get 0) (i32.const 0) (i32.gt_s (local.get 0) (i32.const 0))))
        """,
        locals: "(local $k i32) (local $p i32)", """
        (local.set $k (call $pos (call $buf_read (call $ctx (i32.const 0x100) (i32.const 3)) (i32.const 0) (i32.const 0x1000) (i32.const 512))))
        (local.set $p (i32.const 0x2000))
        (local.set $p (i32.add (local.get $p)
            (call $buf_read (call $ctx (i32.const 0x120) (i32.const 7)) (i32.const 0) (local.get $p) (i32.const 64))))
        (i32.store8 (local.get $p) (i32.const 0x7C))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $p (i32.add (local.get $p)
            (call $pos (call $buf_read (call $ctx (i32.const 0x110) (i32.const 2)) (i32.const 0) (local.get $p) (i32.const 64)))))
        (i32.store8 (local.get $p) (i32.const 0x3A))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (call $buf_read (call $input) (i32.const 0) (local.get $p) (i32.const 0x10000))))
        (drop (call $kv_set (i32.const 0x0FFB) (i32.add (local.get $k) (i32.const 5)) (i32.const 0x2000) (i32.sub (local.get $p) (i32.const 0x2000))))
    """)

    /// Appends its input and a comma to `log`.
    static let appender = WATGuest.stratusGuest(data: [(0x100, "log")], extraPages: 2, locals: "(local $h i32) (local $n i32)", """
        (local.set $h (call $kv_get (i32.const 0x100) (i32.const 3)))
        (if (i32.gt_s (local.get $h) (i32.const 0))
          (then (local.set $n (call $buf_read (local.get $h) (i32.const 0) (i32.const 0x2000) (i32.const 0x8000)))))
        (local.set $n (i32.add (local.get $n) (call $buf_read (call $input) (i32.const 0) (i32.add (i32.const 0x2000) (local.get $n)) (i32.const 64))))
        (i32.store8 (i32.add (i32.const 0x2000) (local.get $n)) (i32.const 0x2C))
        (drop (call $kv_set (i32.const 0x100) (i32.const 3) (i32.const 0x2000) (i32.add (local.get $n) (i32.const 1))))
    """)

    /// Spawns `recorder` (listed in `calls:`) and `stranger` (not listed) with its input.
    static let spawner = WATGuest.stratusGuest(data: [(0x100, "recorder"), (0x110, "stranger")], locals: "(local $n i32)", """
        (local.set $n (call $buf_read (call $input) (i32.const 0) (i32.const 0x2000) (i32.const 256)))
        (call $rec (call $spawn (i32.const 0x100) (i32.const 8) (i32.const 0x2000) (local.get $n)))
        (call $rec (call $spawn (i32.const 0x110) (i32.const 8) (i32.const 0x2000) (local.get $n)))
    """)

    let dir: TemporaryDirectory
    let platform: Platform

    init() throws {
        dir = try TemporaryDirectory()
        platform = Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")), pool: WorkerPool(slots: 2))
    }

    /// The value of `key` once it exists, waiting up to 10 s.
    private func eventually(_ key: String, app: String = "ev", until done: (String) -> Bool = { _ in true }) async throws -> String {
        for _ in 0..<1000 {
            if let value = try? await platform.kvGet(app: app, key: key), done(WATGuest.text(value)) { return WATGuest.text(value) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("`\(key)` did not reach the expected value in 10 s")
    }

    @Test func aWriteStartsTheMatchingTriggerWithKeyOpAndValue() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "ev", [("recorder", Self.recorder, [])], functionExtra: [
            "recorder": "kv:\n  \"seen/*\": [set]\non:\n  - kv: \"orders/{}\"\n    ops: [set, delete]",
        ]))
        try await platform.whileDispatching {
            try await platform.kvSet(app: "ev", key: "orders/42", value: Array("pizza".utf8))
            #expect(try await eventually("seen/orders/42") == "kv|set:pizza")
            try await platform.kvDelete(app: "ev", key: "orders/42")
            let deleted = try await eventually("seen/orders/42", until: { $0.hasPrefix("kv|delete") })
            #expect(deleted == "kv|delete:")
            // A key outside the pattern starts nothing.
            try await platform.kvSet(app: "ev", key: "orders/4/2", value: [1])
            try await platform.kvSet(app: "ev", key: "orders/last", value: Array("done".utf8))
            _ = try await eventually("seen/orders/last")
            await #expect(throws: StratusError.self) { _ = try await platform.kvGet(app: "ev", key: "seen/orders/4/2") }
        }
    }

    @Test func eventsOfOneKeyArriveInWriteOrder() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "ev", [("appender", Self.appender, [])], functionExtra: [
            "appender": "kv:\n  \"log\": [get, set]\non:\n  - kv: \"k\"",
        ]))
        // Written before the dispatcher starts, so all 40 events wait in the outbox together.
        for n in 1...40 { try await platform.kvSet(app: "ev", key: "k", value: Array(String(n).utf8)) }
        #expect(try await platform.store.pendingEventCount() == 40)
        try await platform.whileDispatching {
            let expected = (1...40).map(String.init).joined(separator: ",") + ","
            let log = try await eventually("log", until: { $0.count >= expected.count })
            #expect(log == expected)
            // The last event is removed just after its function returns.
            for _ in 0..<500 where try await platform.store.pendingEventCount() > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(try await platform.store.pendingEventCount() == 0)
    }

    @Test func aFailingTriggerIsRetriedThenDeadLetteredAndReplayed() async throws {
        let failing = TestApps.bundle(app: "ev", [("flaky", TestApps.trap, [])], functionExtra: ["flaky": "on:\n  - kv: \"jobs/*\""])
        _ = try await platform.deploy(failing)
        try await platform.whileDispatching {
            try await platform.kvSet(app: "ev", key: "jobs/1", value: Array("work".utf8))
            var dead: [EventRecord] = []
            for _ in 0..<500 where dead.isEmpty {
                dead = try await platform.deadLetters(app: "ev")
                try await Task.sleep(for: .milliseconds(10))
            }
            let letter = try #require(dead.first)
            #expect(letter.attempts == 3)
            #expect(letter.function == "flaky")
            #expect(letter.key == Array("jobs/1".utf8))
            #expect(letter.lastError?.contains("guest_trap") == true)

            // Fix the function, then replay: the event runs again with its original value.
            _ = try await platform.deploy(TestApps.bundle(app: "ev", [("flaky", Self.recorder, [])], functionExtra: [
                "flaky": "kv:\n  \"seen/*\": [set]\non:\n  - kv: \"jobs/*\"",
            ]))
            try await platform.replayDeadLetter(id: letter.id)
            #expect(try await eventually("seen/jobs/1") == "kv|set:work")
            #expect(try await platform.deadLetters(app: "ev").isEmpty)
            await #expect(throws: StratusError.self) { try await platform.replayDeadLetter(id: letter.id) }
        }
    }

    @Test func spawnsRunDurablyAndOnlyTheListedFunctions() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "ev", [
            ("spawner", Self.spawner, []), ("recorder", Self.recorder, []), ("stranger", Self.recorder, []),
        ], functionExtra: ["spawner": "calls: [recorder]", "recorder": "kv:\n  \"seen/*\": [set]"]))
        let output = try await platform.invoke(app: "ev", function: "spawner", input: Array("payload".utf8), trigger: "call")
        #expect(WATGuest.int32s(output.body) == [0, -3])
        _ = try await platform.spawn(app: "ev", function: "recorder", input: Array("from admin".utf8))
        #expect(try await platform.store.pendingEventCount() == 2)
        try await platform.whileDispatching {
            // The recorder has no `key` in its context, so both write `seen/`.
            let seen = try await eventually("seen/", until: { $0 == "async|:payload" || $0 == "async|:from admin" })
            #expect(seen.hasPrefix("async|:"))
            for _ in 0..<500 where try await platform.store.pendingEventCount() > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await platform.store.pendingEventCount() == 0)
        }
        await #expect(throws: StratusError.self) { _ = try await platform.spawn(app: "ev", function: "nope", input: []) }
    }

    @Test func pendingEventsSurviveARestart() async throws {
        _ = try await platform.deploy(TestApps.bundle(app: "ev", [("recorder", Self.recorder, [])], functionExtra: [
            "recorder": "kv:\n  \"seen/*\": [set]\non:\n  - kv: \"later\"",
        ]))
        try await platform.kvSet(app: "ev", key: "later", value: Array("kept".utf8))
        // A new platform on the same file (a restarted server) delivers what the first left pending.
        let restarted = Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")), pool: WorkerPool(slots: 2))
        try await restarted.start()
        try await restarted.whileDispatching {
            for _ in 0..<1000 where (try? await restarted.kvGet(app: "ev", key: "seen/later")) == nil {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await restarted.kvGet(app: "ev", key: "seen/later") == Array("kv|set:kept".utf8))
        }
    }
}
