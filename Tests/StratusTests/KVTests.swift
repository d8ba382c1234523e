import Foundation
import StratusEngine
import StratusModel
import StratusRuntime
import StratusStore
import Testing

/// The KV store through the ABI: real WAT guests, grants from real manifests, a real SQLite file.
@Suite struct KVTests {
    let dir: TemporaryDirectory
    let platform: Platform

    init() throws {
        dir = try TemporaryDirectory()
        platform = Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")), pool: WorkerPool(slots: 2))
    }

    /// Deploys function `f` of app `app` with `grants` (YAML under `kv:`), running `body` with `data`.
    private func deploy(app: String = "kv", grants: String, data: [(Int, String)] = [], locals: String = "",
                        _ body: String) async throws {
        let guest = WATGuest.stratusGuest(data: data, extraPages: 16, locals: locals, body)
        _ = try await platform.deploy(TestApps.bundle(app: app, [("f", guest, [])], functionExtra: ["f": "kv:\n" + grants]))
    }

    private func run(app: String = "kv", input: String = "") async throws -> InvocationOutput {
        try await platform.invoke(app: app, function: "f", input: Array(input.utf8), trigger: "call")
    }

    private func codes(_ output: InvocationOutput) -> [Int32] { WATGuest.int32s(output.body) }

    @Test func setGetAndDeleteKeepStateAcrossInvocations() async throws {
        try await deploy(grants: "  \"k\": [get, set, delete]", data: [(0, "k"), (16, "v1")], locals: "(local $h i32)", """
            (call $rec (call $kv_delete (i32.const 0) (i32.const 1)))
            (local.set $h (call $kv_get (i32.const 0) (i32.const 1)))
            (call $rec (local.get $h))
            (call $rec (call $kv_set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 2)))
            (local.set $h (call $kv_get (i32.const 0) (i32.const 1)))
            (call $rec (call $buf_len (local.get $h)))
            (call $rec (call $buf_read (local.get $h) (i32.const 0) (i32.const 0x100) (i32.const 8)))
            (call $rec (i32.load16_u (i32.const 0x100)))
        """)
        // "v1" little-endian as u16 = 0x3176.
        #expect(codes(try await run()) == [-1, -1, 0, 2, 2, 0x3176])
        // A second invocation finds the key the first wrote, deletes it, and writes it again.
        #expect(codes(try await run()) == [0, -1, 0, 2, 2, 0x3176])
        #expect(try await platform.kvGet(app: "kv", key: "k") == Array("v1".utf8))
    }

    @Test func compareAndSwapAndIncrement() async throws {
        try await deploy(grants: "  \"c/{}\": [get, set]", data: [(0, "c/cas"), (16, "old"), (32, "new"), (48, "c/n"), (64, "c/text")],
                         locals: "(local $h i32)", """
            (call $rec (call $kv_cas (i32.const 0) (i32.const 5) (i32.const 0) (i32.const -1) (i32.const 16) (i32.const 3)))
            (call $rec (call $kv_cas (i32.const 0) (i32.const 5) (i32.const 0) (i32.const -1) (i32.const 16) (i32.const 3)))
            (call $rec (call $kv_cas (i32.const 0) (i32.const 5) (i32.const 32) (i32.const 3) (i32.const 32) (i32.const 3)))
            (call $rec (call $kv_cas (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 3)))
            (call $rec (call $kv_incr (i32.const 48) (i32.const 3) (i64.const 5) (i32.const 0x200)))
            (call $rec (i32.load (i32.const 0x200)))
            (call $rec (call $kv_incr (i32.const 48) (i32.const 3) (i64.const -7) (i32.const 0x200)))
            (call $rec (i32.load (i32.const 0x200)))
            (call $rec (call $kv_incr (i32.const 48) (i32.const 3) (i64.const 1) (i32.const -4)))
            (call $rec (call $kv_set (i32.const 64) (i32.const 6) (i32.const 16) (i32.const 3)))
            (call $rec (call $kv_incr (i32.const 64) (i32.const 6) (i64.const 1) (i32.const 0x200)))
        """)
        #expect(codes(try await run()) == [0, -5, -5, 0, 0, 5, 0, -2, -2, 0, -2])
        #expect(try await platform.kvGet(app: "kv", key: "c/cas") == Array("new".utf8))
        // The stored value of a counter is its decimal text; the bad out pointer changed nothing.
        #expect(try await platform.kvGet(app: "kv", key: "c/n") == Array("-2".utf8))
    }

    @Test func scanReturnsFramedPairsInKeyOrderWithinGrants() async throws {
        for (key, value) in [("s/b", "2"), ("s/a", "1"), ("s/c/deep", "3"), ("t/x", "9"), ("s/d", "4")] {
            try await platform.kvSet(app: "kv", key: key, value: Array(value.utf8))
        }
        try await deploy(grants: "  \"s/{}\": [scan]", data: [(0, "s/"), (16, "t/")], locals: "(local $h i32)", """
            (local.set $h (call $kv_scan (i32.const 0) (i32.const 2) (i32.const 3)))
            (drop (call $out_write (i32.const 0x400)
                (call $buf_read (local.get $h) (i32.const 0) (i32.const 0x400) (i32.const 4096))))
            (call $rec (call $kv_scan (i32.const 16) (i32.const 2) (i32.const 10)))
            (call $rec (call $kv_scan (i32.const 0) (i32.const 2) (i32.const 0)))
        """)
        let body = try await run().body
        var pairs: [(String, String)] = []
        var rest = body[...]
        func field() -> String {
            let length = Int(WATGuest.int32s(rest.prefix(4))[0])
            defer { rest = rest.dropFirst(4 + length) }
            return WATGuest.text(rest.dropFirst(4).prefix(length))
        }
        while rest.count > 8 {
            pairs.append((field(), field()))
        }
        // `s/c/deep` is outside `s/{}`, so the scan skips it and still returns 3 pairs.
        #expect(pairs.map(\.0) == ["s/a", "s/b", "s/d"])
        #expect(pairs.map(\.1) == ["1", "2", "4"])
        #expect(WATGuest.int32s(rest) == [-3, -2])
    }

    @Test func anythingOutsideTheGrantsIsDenied() async throws {
        try await deploy(grants: "  \"mine/*\": [get]", data: [(0, "mine/x"), (16, "other")], """
            (call $rec (call $kv_get (i32.const 0) (i32.const 6)))
            (call $rec (call $kv_set (i32.const 0) (i32.const 6) (i32.const 0) (i32.const 1)))
            (call $rec (call $kv_delete (i32.const 0) (i32.const 6)))
            (call $rec (call $kv_get (i32.const 16) (i32.const 5)))
            (call $rec (call $kv_incr (i32.const 0) (i32.const 6) (i64.const 1) (i32.const 0x200)))
            (call $rec (call $kv_cas (i32.const 0) (i32.const 6) (i32.const 0) (i32.const -1) (i32.const 0) (i32.const 1)))
            (call $rec (call $kv_scan (i32.const 0) (i32.const 5) (i32.const 5)))
        """)
        #expect(codes(try await run()) == [-1, -3, -3, -3, -3, -3, -3])
    }

    @Test func keysAndValuesHaveTheABIsLimits() async throws {
        try await deploy(grants: "  \"*\": [get, set]", data: [(0, "k"), (16, "\u{FF}")], """
            (call $rec (call $kv_set (i32.const 0) (i32.const 513) (i32.const 0) (i32.const 1)))
            (call $rec (call $kv_set (i32.const 0) (i32.const 512) (i32.const 0) (i32.const 1)))
            (call $rec (call $kv_set (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1)))
            (call $rec (call $kv_get (i32.const 16) (i32.const 1)))
            (call $rec (call $kv_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0x100001)))
            (call $rec (call $kv_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0x100000)))
            (call $rec (call $kv_set (i32.const 0) (i32.const 1) (i32.const 0x7fffffff) (i32.const 16)))
        """)
        #expect(codes(try await run()) == [-4, 0, -2, -2, -4, 0, -2])
        #expect(try await platform.kvGet(app: "kv", key: "k").count == 1 << 20)
    }

    @Test func eachAppHasItsOwnNamespace() async throws {
        try await platform.kvSet(app: "other", key: "shared", value: Array("theirs".utf8))
        try await deploy(grants: "  \"shared\": [get]", data: [(0, "shared")], """
            (call $rec (call $kv_get (i32.const 0) (i32.const 6)))
        """)
        #expect(codes(try await run()) == [-1])
    }

    @Test func writesSurviveARestart() async throws {
        try await platform.kvSet(app: "kv", key: "durable", value: Array("yes".utf8))
        let reopened = Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")), pool: WorkerPool(slots: 1))
        #expect(try await reopened.kvGet(app: "kv", key: "durable") == Array("yes".utf8))
    }

    @Test func peopleGetTheSameLimits() async throws {
        await #expect(throws: StratusError.self) { try await platform.kvSet(app: "kv", key: String(repeating: "k", count: 513), value: []) }
        await #expect(throws: StratusError.self) { try await platform.kvSet(app: "kv", key: "big", value: [UInt8](repeating: 0, count: (1 << 20) + 1)) }
        await #expect(throws: StratusError.self) { try await platform.kvSet(app: "Bad App", key: "k", value: []) }
        await #expect(throws: StratusError.self) { try await platform.kvDelete(app: "kv", key: "absent") }
        let listed = try await platform.kvList(app: "kv", prefix: "", after: nil, limit: 10)
        #expect(listed.isEmpty)
    }
}

@Suite struct KeyPatternTests {
    @Test(arguments: [
        ("orders/{}", "orders/42", true), ("orders/{}", "orders/a.b-c_D", true), ("orders/{}", "orders/", false),
        ("orders/{}", "orders/4/2", false), ("orders/*", "orders/4/2", true), ("orders/*", "order", false),
        ("{}/total", "x.y/total", true), ("{}.json", "a.b.json", true), ("hits", "hits", true), ("hits", "hits2", false),
        ("a/{}/b/*", "a/x/b/", true), ("*", "", true),
    ])
    func matches(_ pattern: String, _ key: String, _ expected: Bool) throws {
        #expect(try KeyPattern(parsing: pattern).matches(Array(key.utf8)) == expected)
    }

    @Test(arguments: ["a*b", "{x}", "a{", "a}", "{}{}", ""])
    func refusesBadPatterns(_ text: String) {
        #expect(throws: StratusError.self) { _ = try KeyPattern(parsing: text) }
    }

    @Test func aBadPatternInAManifestNamesTheFunctionAndField() {
        #expect {
            _ = try ManifestParser(file: "app/stratus.yaml").parse("app: a\nfunctions:\n  f:\n    module: f.wasm\n    kv:\n      \"a*b\": [get]\n")
        } throws: { error in
            let message = (error as? StratusError)?.message ?? ""
            return message.contains("functions.f.kv") && message.contains("a*b")
        }
    }
}
