import Foundation
import StratusModel
import StratusRuntime
import Testing

/// Functions written in JavaScript: a `.js` module runs in the Duktape runner
/// (`scripts/build-js.sh`), inside the same sandbox, limits and snapshots as any module.
@Suite struct JavaScriptTests {
    static func app(_ scripts: [String: String], manifest extra: String = "") -> AppBundle {
        var manifest = "app: js\nfunctions:\n"
        for name in scripts.keys.sorted() {
            manifest += "  \(name):\n    module: \(name).js\n    http: [POST /js/\(name)]\n    kv: {\"count/*\": [get, set]}\n    calls: [shout]\n"
        }
        return AppBundle(manifest: manifest + extra, files: Dictionary(uniqueKeysWithValues: scripts.map { ("\($0.key).js", Array($0.value.utf8)) }))
    }

    static let scripts = [
        "hello": """
            var greeting = 'Hello';           // evaluated once, before the snapshot
            function handle() {
                var name = stratus.input() || 'world';
                var visits = stratus.kv.incr('count/' + name, 1);
                stratus.header('X-Engine', 'duktape');
                stratus.write(greeting + ', ' + name + '! visit ' + visits + ' via ' + stratus.ctx('trigger'));
            }
            """,
        "shout": """
            function handle() { stratus.write(stratus.input().toUpperCase()); }
            """,
        "caller": """
            function handle() {
                var loud = stratus.call('shout', 'psst');
                try { stratus.kv.set('elsewhere', 'x'); } catch (e) { stratus.write(loud + ' / ' + e.message); }
            }
            """,
        "boom": """
            function widget(id) { throw new TypeError('no such widget: ' + id); }
            function handle() { widget(stratus.input()); }
            """,
    ]

    /// `.auto` leaves scripts to WasmKit; `.wasmtime` runs them there (the script evaluated per invocation).
    @Test(arguments: [EngineChoice.auto, .wasmtime])
    func scriptsServeRequestsUseKVAndCallsAndReportTheirErrors(_ engine: EngineChoice) async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir, engine: engine) { server in
            _ = try await server.platform.deploy(Self.app(Self.scripts))
            let first = try await server.request(.POST, "/js/hello", body: Array("Ada".utf8))
            #expect(first.status == 200 && first.text == "Hello, Ada! visit 1 via http", "\(first.status) \(first.text)")
            #expect(first.headers["X-Engine"].first == "duktape")
            #expect(try await server.request(.POST, "/js/hello", body: Array("Ada".utf8)).text == "Hello, Ada! visit 2 via http")
            #expect(try await server.platform.kvGet(app: "js", key: "count/Ada") == Array("2".utf8))

            let called = try await server.request(.POST, "/js/caller")
            #expect(called.text == "PSST / stratus.kv.set: DENIED", "a call, and an ABI error caught in JavaScript: \(called.text)")

            let boom = try await server.request(.POST, "/js/boom", body: Array("42".utf8))
            #expect(boom.status == 500, "\(boom.text)")
            #expect(boom.text.contains("\"javascript_error\"") && boom.text.contains("TypeError: no such widget: 42"), "\(boom.text)")
            // The trap costs the instance, not the function.
            #expect(try await server.request(.POST, "/js/hello", body: Array("Bo".utf8)).text == "Hello, Bo! visit 1 via http")
        }
    }

    /// `.auto` leaves scripts to WasmKit; `.wasmtime` runs them there (the script evaluated per invocation).
    @Test(arguments: [EngineChoice.auto, .wasmtime])
    func aScriptThatDoesNotEvaluateIsRefusedAtDeploy(_ engine: EngineChoice) async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir, engine: engine) { server in
            for (script, expected) in [("function handle( { }", "SyntaxError"), ("var x = 1;", "handle"),
                                       ("throw new Error('not today');", "not today")] {
                await #expect { _ = try await server.platform.deploy(Self.app(["bad": script])) } throws: { error in
                    let failure = error as? StratusError
                    return failure?.kind == .badRequest && failure?.message.contains("bad.js") == true && failure?.message.contains(expected) == true
                }
            }
            #expect(server.platform.app(named: "js") == nil, "nothing was deployed")
        }
    }
}
