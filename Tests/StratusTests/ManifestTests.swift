import StratusModel
import Testing

@Suite struct ManifestTests {
    let parser = ManifestParser(file: "shop/stratus.yaml")

    private func error(_ yaml: String) -> StratusError? {
        do {
            _ = try parser.parse(yaml)
            return nil
        } catch let error as StratusError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func parsesTheFullManifestOfUsage() throws {
        let manifest = try parser.parse("""
            app: shop
            variables:
              greeting: hello
            outbound:
              - https://api.example.com
            static:
              /assets: public
            files: data
            functions:
              hello:
                module: hello.wasm
                entry: handle
                http:
                  - GET /hello/:name
                  - POST /hello
                kv:
                  "hits": [get, set]
                on:
                  - kv: "orders/{}"
                    ops: [set]
                  - cron: "0 */5 * * * *"
                calls: [audit, billing/charge]
                websocket: /live
                limits:
                  timeout_ms: 5000
                  memory_mb: 64
              audit:
                module: audit.wat
            """)
        #expect(manifest.app == "shop")
        #expect(manifest.variables == ["greeting": "hello"])
        #expect(manifest.functions.map(\.name) == ["audit", "hello"])
        let hello = try #require(manifest.function(named: "hello"))
        #expect(hello.http.map(\.description) == ["GET /hello/:name", "POST /hello"])
        #expect(hello.triggers == [.kv(pattern: try KeyPattern(parsing: "orders/{}"), ops: [.set]), .cron(try CronSchedule(parsing: "0 */5 * * * *"))])
        #expect(hello.kv == [KVGrant(pattern: try KeyPattern(parsing: "hits"), operations: [.get, .set])])
        #expect(hello.limits == Limits(timeoutMs: 5000, memoryMB: 64))
        #expect(manifest.modulePaths == ["audit.wat", "hello.wasm"])
    }

    @Test func readsAffinityAndRefusesALabelNoNodeCanHave() throws {
        let manifest = try parser.parse("app: shop\nfunctions:\n  f:\n    module: f.wasm\n    affinity: [gpu, n2]\n  g:\n    module: g.wasm\n")
        #expect(manifest.function(named: "f")?.affinity == ["gpu", "n2"])
        #expect(manifest.function(named: "g")?.affinity == [])
        let bad = error("app: shop\nfunctions:\n  f:\n    module: f.wasm\n    affinity: [\"big gpu\"]\n")
        #expect(bad?.code == "manifest_invalid")
        #expect(bad?.message.contains("functions.f.affinity[0]") == true)
        #expect(bad?.message.contains("`big gpu`") == true)
    }

    @Test func refusesAnUnknownKeyNamingFileAndKey() {
        let top = error("app: shop\ncolour: blue\nfunctions:\n  f:\n    module: f.wasm\n")
        #expect(top?.code == "manifest_invalid")
        #expect(top?.message.contains("shop/stratus.yaml") == true)
        #expect(top?.message.contains("`colour`") == true)
        let nested = error("app: shop\nfunctions:\n  f:\n    module: f.wasm\n    htp: [GET /x]\n")
        #expect(nested?.message.contains("functions.f") == true)
        #expect(nested?.message.contains("`htp`") == true)
    }

    @Test(arguments: ["Shop", "", "a_b", String(repeating: "a", count: 64)])
    func refusesABadAppName(_ name: String) {
        let e = error("app: \"\(name)\"\nfunctions:\n  f:\n    module: f.wasm\n")
        #expect(e?.code == "manifest_invalid")
        #expect(e?.message.contains("app") == true)
    }

    @Test func refusesABadFunctionName() {
        let e = error("app: shop\nfunctions:\n  \"a/b\":\n    module: f.wasm\n")
        #expect(e?.message.contains("not a valid function name") == true)
    }

    @Test(arguments: [
        ("GET", "METHOD /path"),
        ("FETCH /x", "unknown method"),
        ("GET x", "must start with /"),
        ("GET /a//b", "empty path segment"),
        ("GET /*rest/more", "last segment"),
        ("GET /:a/:a", "appears twice"),
        ("GET /_stratus/x", "reserved"),
    ])
    func refusesABadRoute(_ route: String, _ expected: String) {
        let e = error("app: shop\nfunctions:\n  f:\n    module: f.wasm\n    http: [\"\(route)\"]\n")
        #expect(e?.code == "manifest_invalid")
        #expect(e?.message.contains("functions.f.http[0]") == true)
        #expect(e?.message.contains(expected) == true, "\(e?.message ?? "no error")")
    }

    @Test func refusesADuplicateRouteWithinTheApp() {
        let e = error("""
            app: shop
            functions:
              a:
                module: a.wasm
                http: [GET /items/:id]
              b:
                module: b.wasm
                http: [GET /items/:other]
            """)
        #expect(e?.message.contains("also declared by function `a`") == true)
    }

    /// Every numeric setting has a range, checked at deploy: a value past it (a timeout whose
    /// deadline would overflow the clock) is refused naming the key and the range.
    @Test(arguments: [
        ("limits: {timeout_ms: 10000000000000}", "functions.f.limits.timeout_ms", SettingRange.timeoutMs),
        ("limits: {timeout_ms: 0}", "functions.f.limits.timeout_ms", SettingRange.timeoutMs),
        ("limits: {memory_mb: 99999999}", "functions.f.limits.memory_mb", SettingRange.memoryMB),
        ("limits: {memory_mb: 12.5}", "functions.f.limits.memory_mb", SettingRange.memoryMB),
        ("limits: {call_depth: 257}", "functions.f.limits.call_depth", SettingRange.callDepth),
    ])
    func refusesANumberOutsideItsRange(_ setting: String, _ key: String, _ range: SettingRange) {
        let message = error("app: shop\nfunctions:\n  f:\n    module: f.wasm\n    \(setting)\n")?.message ?? "accepted"
        #expect(message.contains("\(key): "), "\(message)")
        #expect(message.contains("\(range.range.lowerBound) to \(range.range.upperBound) (\(range.unit))"), "\(message)")
    }

    @Test func readsAPinnedEngineAndRefusesAnUnknownOne() throws {
        let pinned = { (engine: String) in "app: shop\nfunctions:\n  f:\n    module: f.wasm\n    limits: {engine: \(engine)}\n" }
        #expect(try ManifestParser().parse(pinned("wasmtime")).functions[0].limits.engine == .wasmtime)
        #expect(try ManifestParser().parse(pinned("wasmkit")).functions[0].limits.engine == .wasmkit)
        #expect(try ManifestParser().parse("app: shop\nfunctions:\n  f:\n    module: f.wasm\n").functions[0].limits.engine == nil)
        let message = error(pinned("v8"))?.message ?? "accepted"
        #expect(message.contains("functions.f.limits.engine") && message.contains("`v8` is not an engine; use one of auto, wasmtime, wasmkit"),
                "\(message)")
    }

    @Test func acceptsTheEndsOfEachRange() throws {
        let top = "app: shop\nfunctions:\n  f:\n    module: f.wasm\n    limits: {timeout_ms: 900000, memory_mb: 4096, call_depth: 256}\n"
        let limits = try ManifestParser().parse(top).functions[0].limits
        #expect(limits == Limits(timeoutMs: 900_000, memoryMB: 4096, callDepth: 256))
        let plan = """
            app: shop
            functions:
              f:
                module: f.wasm
            plans:
              p:
                map: f
                reduce: f
                split: {lines: 10000001}
            """
        #expect(error(plan)?.message.contains("plans.p.split.lines: 10000001 is outside the allowed 1 to 10000000 (lines)") == true)
    }

    @Test func refusesMissingPiecesAndBadValues() {
        #expect(error("functions:\n  f:\n    module: f.wasm\n")?.message.contains("missing `app:`") == true)
        #expect(error("app: shop\n")?.message.contains("missing `functions:`") == true)
        #expect(error("app: shop\nfunctions:\n  f:\n    entry: x\n")?.message.contains("missing `module:`") == true)
        #expect(error("app: shop\nfunctions:\n  f:\n    module: f.txt\n")?.message.contains(".wasm, .wat or .js") == true)
        #expect(error("app: shop\nfunctions:\n  f:\n    module: ../f.wasm\n")?.message.contains("inside the app folder") == true)
        #expect(error("app: shop\nfunctions:\n  f:\n    module: f.wasm\n    limits: {timeout_ms: -1}\n")?.message
            .contains("functions.f.limits.timeout_ms: -1 is outside the allowed 1 to 900000 (milliseconds)") == true)
        #expect(error("app: [\n")?.message.contains("not valid YAML") == true)
        #expect(error("")?.message.contains("empty") == true)
    }
}
