import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StratusEngine
import StratusHTTP
import StratusRuntime
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile input against a real `stratus serve` process: mutated modules, path traversal,
/// header and body floods, slow clients. Each case must get a clear error (a 4xx JSON body,
/// or a closed connection where NIO refuses a header flood), and afterwards the server must
/// still run and still hold the app and the key deployed before the attack. A crash kills only
/// the server process, so a case that crashes it fails here with its name instead of taking the
/// test runner down. Every case found stays here as a regression test.
@Suite(.serialized) struct HostileInputTests {
    // MARK: Module upload fuzzing

    @Test func mutatedModulesAreRefusedWith4xxOrDeployedNeverA5xxOrACrash() async throws {
        try await HostileServer.with { server in
            let base = try ModuleMutator.baseModule()
            let original = try await server.deploy(Self.fuzzApp(base))
            #expect(original.status == 201, "the unmutated module must deploy: \(original.text)")
            #expect(try await server.request(.GET, "/fuzz/x").text == "fuzzed x")

            var failures: [String] = []
            var deployed = 0
            for index in 0..<ModuleMutator.count {
                let (name, module) = ModuleMutator.mutate(base, index)
                let what = "mutation #\(index) (\(name)), module \(module.count) bytes base64 \(Data(module).base64EncodedString())"
                let reply: TestServer.Reply
                do {
                    reply = try await server.deploy(Self.fuzzApp(module))
                } catch {
                    failures.append("\(what): no answer (\(error)); \(server.exitDescription)")
                    if !server.isRunning { break }
                    continue
                }
                if reply.status == 201 {
                    deployed += 1
                    // A module that validates may still misbehave when it runs: a trap or a
                    // limit is a JSON error, never an internal failure or a crash.
                    do {
                        let run = try await server.request(.GET, "/fuzz/x")
                        if run.status >= 500, ErrorBody.decode(run).map({ $0.code == "internal" }) ?? true {
                            failures.append("\(what): deployed, then GET /fuzz/x answered \(run.status) \(run.text.prefix(300))")
                        }
                    } catch {
                        failures.append("\(what): deployed, then GET /fuzz/x got no answer (\(error))")
                        if !server.isRunning { break }
                    }
                } else if !(400...499).contains(reply.status) || ErrorBody.decode(reply) == nil {
                    failures.append("\(what): answered \(reply.status) \(reply.text.prefix(300))")
                }
            }
            #expect(failures.isEmpty, "\(failures.count) of \(ModuleMutator.count) mutated modules misbehaved:\n\(failures.prefix(10).joined(separator: "\n"))\nserver log:\n\(server.logTail)")
            #expect(deployed < ModuleMutator.count, "most mutations must be refused")
            try await server.expectIntact()
        }
    }

    /// An app `fuzz` whose one function runs `module`, with tight limits so a mutated guest
    /// that loops or grows memory stops quickly.
    static func fuzzApp(_ module: [UInt8]) -> AppBundle {
        AppBundle(manifest: """
            app: fuzz
            functions:
              f:
                module: f.wasm
                http:
                  - GET /fuzz/:name
                limits:
                  timeout_ms: 1000
                  memory_mb: 16
            """, files: ["f.wasm": module])
    }

    // MARK: Path traversal

    @Test func traversalInAppNamesIsRefusedWithJSONErrors() async throws {
        try await HostileServer.with { server in
            let wat = TestApps.greeter(text: "evil ")
            for name in ["../x", "a/b", "%2e%2e", "..", "\"\"", String(repeating: "a", count: 64), "../keep", "keep/..", "/keep",
                         "keep\\u0000", ".", "a\\\\b", "KEEP"] {
                let manifest = "app: \(name)\nfunctions:\n  f:\n    module: f.wat\n    http:\n      - GET /evil\n"
                let reply = try await server.deploy(AppBundle(manifest: manifest, files: ["f.wat": Array(wat.utf8)]))
                server.expectJSONError(reply, status: 400, code: "manifest_invalid", "deploy of app `\(name)`")
            }
            // The longest valid name deploys, so the refusals above are about the names.
            let longest = String(repeating: "a", count: 63)
            let ok = try await server.deploy(AppBundle(manifest: "app: \(longest)\nfunctions:\n  f:\n    module: f.wat\n",
                                                       files: ["f.wat": Array(wat.utf8)]))
            #expect(ok.status == 201, "\(ok.text)")
            #expect(try await server.request(.DELETE, "/_stratus/apps/\(longest)", admin: true).status == 204)

            // App names in admin URLs: raw bytes on the wire, so no client normalizes them first.
            for target in ["/_stratus/apps/..", "/_stratus/apps/%2e%2e", "/_stratus/apps/..%2Fkeep", "/_stratus/apps/keep%2F..",
                           "/_stratus/apps/./keep", "/_stratus/apps/%2E%2E%2Fkeep", "/_stratus/apps/" + String(repeating: "a", count: 64),
                           "/_stratus/apps/../apps/keep/functions/greet/invoke"] {
                for method in ["GET", "DELETE", "POST"] {
                    let reply = try await server.raw(method, target)
                    server.expectRawJSONError(reply, "\(method) \(target)")
                }
            }
            try await server.expectIntact()
            server.expectNothingWrittenOutside(["x", "b", "evil"])
        }
    }

    @Test func traversalInModulePathsIsRefusedWithJSONErrors() async throws {
        try await HostileServer.with { server in
            let wat = Array(TestApps.greeter(text: "evil ").utf8)
            for path in ["../../etc/passwd", "/etc/passwd", "a/../../b.wasm", "../f.wat", "/tmp/f.wat", "a/../../../f.wat",
                         "./../f.wat", "..", "../", "a/b/../../../c.wat"] {
                let manifest = "app: traversal\nfunctions:\n  f:\n    module: \"\(path)\"\n"
                let reply = try await server.deploy(AppBundle(manifest: manifest, files: [path: wat]))
                server.expectJSONError(reply, status: 400, code: "manifest_invalid", "module path `\(path)`")
            }
            for (key, value) in [("static", "\n  /assets: ../../etc"), ("static", "\n  /assets: /etc"), ("files", " ../.."), ("files", " /etc"),
                                 ("files", " data/../../x")] {
                let manifest = "app: traversal\n\(key):\(value)\nfunctions:\n  f:\n    module: f.wat\n"
                let reply = try await server.deploy(AppBundle(manifest: manifest, files: ["f.wat": wat]))
                server.expectJSONError(reply, status: 400, code: "manifest_invalid", "`\(key):\(value)`")
            }
            // An upload naming any file outside the app folder is refused, named or not.
            let outside = try await server.deploy(AppBundle(manifest: "app: traversal\nfunctions:\n  f:\n    module: f.wat\n",
                                                            files: ["f.wat": wat, "../../escape.wat": wat]))
            server.expectJSONError(outside, status: 400, code: "path_outside_app", "an upload with a traversal path")
            // A module the upload lacks is refused.
            let missing = try await server.deploy(AppBundle(manifest: "app: traversal\nfunctions:\n  f:\n    module: f.wat\n",
                                                            files: ["g.wat": wat]))
            server.expectJSONError(missing, status: 400, code: "module_missing", "a module missing from the upload")
            #expect(try await server.request(.GET, "/_stratus/apps/traversal", admin: true).status == 404)
            try await server.expectIntact()
            server.expectNothingWrittenOutside(["b.wasm", "passwd", "f.wat", "c.wat", "escape.wat"])
        }
    }

    @Test func dotSegmentsInAdminKeyPathsAreRefusedWithJSONErrors() async throws {
        try await HostileServer.with { server in
            let targets = [
                "/_stratus/apps/keep/kv/../../x",
                "/_stratus/apps/keep/kv/..%2F..%2Fx",
                "/_stratus/apps/keep/kv/%2e%2e/%2e%2e/x",
                "/_stratus/apps/keep/kv/a/../precious",
                "/_stratus/apps/keep/kv/./precious",
                "/_stratus/apps/keep/kv/..",
                "/_stratus/apps/other/kv/../../keep/kv/precious",
                "/_stratus/apps/../kv/precious",
                "/_stratus/apps/%2e%2e/kv/precious",
                "/_stratus/apps//kv/precious",
            ]
            for target in targets {
                for method in ["PUT", "DELETE", "GET"] {
                    let reply = try await server.raw(method, target, body: Array("overwritten".utf8))
                    server.expectRawJSONError(reply, "\(method) \(target)")
                }
            }
            // Nothing landed under a traversal key in any namespace.
            for app in ["keep", "other"] {
                let list = try await server.request(.GET, "/_stratus/apps/\(app)/kv?limit=1000", admin: true)
                #expect(list.status == 200)
                #expect(!list.text.contains(".."), "app \(app) has keys with `..`: \(list.text)")
                #expect(!list.text.contains("overwritten"), "app \(app) has an overwritten key: \(list.text)")
            }
            try await server.expectIntact()
            server.expectNothingWrittenOutside(["x", "precious"])
        }
    }

    // MARK: Floods

    @Test func headerFloodsAreRefusedAndTheServerKeepsServing() async throws {
        try await HostileServer.with { server in
            let many = (0..<10_000).map { "X-Flood-\($0): v\r\n" }.joined()
            let huge = "X-Huge: " + String(repeating: "h", count: 1 << 20) + "\r\n"
            let sameName = String(repeating: "X-Same: vvvvvvvvvvvvvvvv\r\n", count: 10_000)
            let auth = "Authorization: Bearer \(server.token)\r\n"
            for (name, head) in [("10,000 headers on a public route", "GET /keep/flood HTTP/1.1\r\nHost: x\r\n\(many)\r\n"),
                                 ("10,000 headers on the admin API", "GET /_stratus/apps HTTP/1.1\r\nHost: x\r\n\(auth)\(many)\r\n"),
                                 ("one header of 1 MiB", "GET /keep/flood HTTP/1.1\r\nHost: x\r\n\(huge)\r\n"),
                                 ("a 1 MiB Authorization header", "GET /_stratus/apps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(String(repeating: "t", count: 1 << 20))\r\n\r\n"),
                                 ("a request line of 1 MiB", "GET /keep/\(String(repeating: "p", count: 1 << 20)) HTTP/1.1\r\nHost: x\r\n\r\n"),
                                 ("10,000 headers of one name", "GET /keep/flood HTTP/1.1\r\nHost: x\r\n\(sameName)\r\n")] {
                let connection = try RawConnection(port: server.port)
                connection.send(Array(head.utf8))
                let reply = RawReply(await connection.receiveAll())
                // Refused with a JSON 4xx (a request line within NIO's limits may be served).
                let allowed = name.hasPrefix("a request line") ? 200...499 : 400...499
                #expect(reply.status.map(allowed.contains) == true, "\(name): answered \(reply.head)")
                if let status = reply.status, status >= 400 {
                    #expect(reply.text.contains("\"code\""), "\(name): answered \(reply.head) without a JSON error")
                }
                #expect(server.isRunning, "\(name) crashed the server:\n\(server.logTail)")
                let next = try await server.request(.GET, "/keep/next")
                #expect(next.text == "kept next", "\(name): the next request got \(next.status) \(next.text)")
            }
            try await server.expectIntact()
        }
    }

    @Test func bodyFloodsAnswer413JSONAndTheServerKeepsServing() async throws {
        try await HostileServer.with(bodyLimit: 64 << 10) { server in
            // Over the public limit, announced by Content-Length.
            let big = try await server.request(.POST, "/keep-echo", body: [UInt8](repeating: 0x41, count: 1 << 20))
            server.expectJSONError(big, status: 413, code: "body_too_large", "a 1 MiB body on a public route")
            // Over the limit in chunks, with no length announced.
            let chunk = String(repeating: "c", count: 16 << 10)
            let chunked = "POST /keep-echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(repeating: "4000\r\n\(chunk)\r\n", count: 64) + "0\r\n\r\n"
            server.expectRawJSONError(try await server.raw(bytes: Array(chunked.utf8)), "a 1 MiB chunked body on a public route", status: 413)
            // A Content-Length that claims more than the limit (or more than an Int) with no body behind it.
            let claimed = try await server.raw("POST", "/keep-echo", headers: [("Content-Length", "99999999999")], sendLength: false)
            server.expectRawJSONError(claimed, "Content-Length: 99999999999 with no body", status: 413)
            for length in ["18446744073709551616", "-1", "1e3", "12, 13"] {
                let reply = try await server.raw("POST", "/keep-echo", headers: [("Content-Length", length)], sendLength: false)
                server.expectRawJSONError(reply, "Content-Length: \(length)", nioMayRefuse: true)
            }
            // Just under the limit still works.
            let fits = try await server.request(.POST, "/keep-echo", body: [UInt8](repeating: 0x42, count: 64 << 10))
            #expect(fits.status == 200 && fits.body.count == 64 << 10)

            // A 50 MiB deploy (under the 64 MiB admin limit): parsed, refused for what it holds.
            let garbage = Data(repeating: 0x5A, count: 38 << 20).base64EncodedString()
            let deploy50 = Array(#"{"manifest": "app: big\nfunctions:\n  f:\n    module: f.wasm\n", "files": {"f.wasm": "\#(garbage)"}}"#.utf8)
            #expect(deploy50.count > 50 << 20)
            let fifty = try await server.request(.POST, "/_stratus/apps", body: deploy50,
                                                 headers: [("Content-Type", "application/json")], admin: true)
            server.expectJSONError(fifty, status: 400, code: "module_invalid", "a 50 MiB deploy of a garbage module")
            // The same without the token: refused before the body is read.
            let anonymous = try await server.request(.POST, "/_stratus/apps", body: deploy50)
            server.expectJSONError(anonymous, status: 401, code: "unauthorized", "a 50 MiB deploy without the token")
            // A long manifest (8 MiB of comments) with an unknown key at its end.
            let longManifest = "app: big\n" + String(repeating: "# padding padding padding padding padding padding\n", count: 160_000) + "colour: blue\n"
            let manifestReply = try await server.request(.POST, "/_stratus/apps", body: Array(try JSONEncoder().encode(DeployRequest(manifest: longManifest, files: [:]))),
                                                         admin: true)
            server.expectJSONError(manifestReply, status: 400, code: "manifest_invalid", "an 8 MiB manifest with an unknown key")
            // Over the admin limit.
            let seventy = try await server.request(.POST, "/_stratus/apps", body: [UInt8](repeating: 0x20, count: 70 << 20), admin: true)
            server.expectJSONError(seventy, status: 413, code: "body_too_large", "a 70 MiB deploy")
            // A KV value over 1 MiB.
            let value = try await server.request(.PUT, "/_stratus/apps/keep/kv/big", body: [UInt8](repeating: 0x43, count: (1 << 20) + 1), admin: true)
            #expect((400...499).contains(value.status) && ErrorBody.decode(value) != nil, "a KV value over 1 MiB: \(value.status) \(value.text.prefix(200))")
            try await server.expectIntact()
        }
    }

    @Test func deeplyNestedJSONIsRefusedWithJSONErrors() async throws {
        try await HostileServer.with { server in
            let depth = 100_000
            let json = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let deepJSON = try await server.request(.POST, "/_stratus/apps", body: Array(json.utf8), admin: true)
            server.expectJSONError(deepJSON, status: 400, code: "bad_json", "JSON nested \(depth) deep")
            let deepInManifest = #"{"manifest": "x", "files": {"a": "# + String(repeating: "[", count: depth) + "}}"
            let inner = try await server.request(.POST, "/_stratus/apps", body: Array(deepInManifest.utf8), admin: true)
            server.expectJSONError(inner, status: 400, code: "bad_json", "broken JSON nested \(depth) deep")
            try await server.expectIntact()
        }
    }

    /// Small manifests that nest deeply or expand: each on a fresh server, so that one that
    /// crashes it does not hide the others.
    @Test(arguments: ManifestBomb.allCases)
    func manifestBombsAreRefusedWithJSONErrors(_ bomb: ManifestBomb) async throws {
        try await HostileServer.with { server in
            let start = ContinuousClock.now
            guard let reply = await server.attempt(bomb.testDescription, { try await server.deploy(AppBundle(manifest: bomb.manifest, files: [:])) })
            else { return }
            server.expectJSONError(reply, status: 400, code: "manifest_invalid", bomb.testDescription)
            #expect(ContinuousClock.now - start < .seconds(5), "\(bomb.testDescription) took \(ContinuousClock.now - start)")
            try await server.expectIntact()
        }
    }

    /// Modules that nest or stack deeply: refused with a 4xx JSON error, or deployed and then
    /// run; never a crash.
    @Test(arguments: ModuleBomb.checkable)
    func moduleBombsAreRefusedOrServedNeverACrash(_ bomb: ModuleBomb) async throws {
        try await HostileServer.with { server in
            let bundle = AppBundle(manifest: "app: bomb\nfunctions:\n  f:\n    module: \(bomb.file)\n    http:\n      - GET /bomb\n",
                                   files: [bomb.file: try bomb.bytes()])
            guard let reply = await server.attempt(bomb.testDescription, { try await server.deploy(bundle) }) else { return }
            if reply.status == 201 {
                guard let run = await server.attempt("\(bomb.testDescription), run", { try await server.request(.GET, "/bomb") }) else { return }
                #expect(run.status < 500 || ErrorBody.decode(run).map { $0.code != "internal" } == true,
                        "\(bomb.testDescription) deployed, then answered \(run.status) \(run.text.prefix(300))")
            } else {
                server.expectJSONError(reply, status: 400, code: "module_invalid", bomb.testDescription)
            }
            try await server.expectIntact()
        }
    }

    // MARK: Slow clients

    @Test func connectionsThatSendNothingAreClosedAfterTheIdleTimeout() async throws {
        try await HostileServer.with(arguments: ["--idle-timeout", "1"]) { server in
            let silent = try RawConnection(port: server.port)
            let trickled = try RawConnection(port: server.port)
            trickled.send(Array("GET /keep/idle HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8))
            let start = ContinuousClock.now
            // Each read ends when the server closes (or after the connection's own 10 s timeout).
            _ = await silent.receiveAll()
            _ = await trickled.receiveAll()
            let took = ContinuousClock.now - start
            #expect(took < .seconds(6), "idle connections were held \(took) against an idle timeout of 1 s")
            #expect(try await server.request(.GET, "/keep/after").text == "kept after")
            try await server.expectIntact()
        }
    }

    @Test func slowClientsDoNotHoldUpOtherRequests() async throws {
        try await HostileServer.with { server in
            // One partial request line, and a crowd of connections that send a byte now and then.
            let held = try RawConnection(port: server.port)
            held.send(Array("GET /keep/slo".utf8))
            let crowd = try (0..<32).map { _ in try RawConnection(port: server.port) }
            let slowBody = try RawConnection(port: server.port)
            slowBody.send(Array("POST /keep-echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 30\r\n\r\n".utf8))
            let trickle = Array("POST /keep-echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nslow!".utf8)
            let start = ContinuousClock.now
            var step = 0
            while ContinuousClock.now - start < .seconds(3) {
                for connection in crowd { connection.send([trickle[min(step, trickle.count - 1)]]) }
                if step < 30 { slowBody.send([UInt8(ascii: "a") + UInt8(step % 26)]) }
                let sent = ContinuousClock.now
                let reply = try await server.request(.GET, "/keep/fast\(step)")
                #expect(reply.text == "kept fast\(step)")
                #expect(ContinuousClock.now - sent < .seconds(2), "a request waited \(ContinuousClock.now - sent) behind slow clients")
                step += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(step >= 10, "only \(step) requests were answered in 3 s")
            #expect(server.isRunning)

            // The held request, finished at last, is answered like any other.
            held.send(Array("w HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            let late = RawReply(await held.receiveAll())
            #expect(late.status == 200 && late.text == "kept slow", "the held request got \(late.head)")
            // So is the request whose body came a byte at a time (30 bytes by now or soon).
            for index in min(step, 30)..<30 { slowBody.send([UInt8(ascii: "a") + UInt8(index % 26)]) }
            let echoed = RawReply(await slowBody.receiveAll())
            #expect(echoed.status == 200 && echoed.body.count == 30, "the slow body got \(echoed.head)")
            // A connection that closes halfway through its request changes nothing.
            for connection in crowd { connection.close() }
            try await server.expectIntact()
        }
    }
}

// MARK: - Bombs

/// Manifests a few KiB to a few MiB long that nest deeply or expand when parsed.
enum ManifestBomb: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case flowSequences, blockSequences, flowMappings, blockMappings, aliases

    var testDescription: String {
        switch self {
        case .flowSequences: "YAML flow sequences nested 10,000 deep ([[[...]]], 20 KB)"
        case .blockSequences: "YAML block sequences nested 10,000 deep (- - - ... x, 20 KB)"
        case .flowMappings: "YAML flow mappings nested 10,000 deep ({a: {a: ...}}, 50 KB)"
        case .blockMappings: "YAML block mappings nested 2,000 deep (indented keys, 2 MB)"
        case .aliases: "YAML alias expansion (billion laughs)"
        }
    }

    var manifest: String {
        let depth = 10_000
        switch self {
        case .flowSequences:
            return "app: deep\nfunctions: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        case .blockSequences:
            return "app: deep\nfunctions:\n  " + String(repeating: "- ", count: depth) + "x\n"
        case .flowMappings:
            return "app: deep\nfunctions: " + String(repeating: "{a: ", count: depth) + "x" + String(repeating: "}", count: depth) + "\n"
        case .blockMappings:
            return "app: deep\nvariables:\n" + (1...2_000).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined()
        case .aliases:
            return """
                app: laughs
                a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
                b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
                e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
                f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
                g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
                h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
                functions: [*h, *h, *h, *h, *h, *h, *h, *h, *h]
                """
        }
    }
}

/// Modules whose structure is deep rather than large.
enum ModuleBomb: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case watNestedBlocks, wasmNestedBlocks, wasmOperandStack

    /// The cases this build can check. A debug build of WasmKit stops at an assertion
    /// (`valueHeight < UInt16.max` in its translator) on the deep operand stack, where a
    /// release build refuses the module with 400 `module_invalid`; that case runs in release.
    static var checkable: [ModuleBomb] {
        #if DEBUG
        allCases.filter { $0 != .wasmOperandStack }
        #else
        allCases
        #endif
    }

    var testDescription: String {
        switch self {
        case .watNestedBlocks: "WAT with 5,000 nested (block ...) (35 KB)"
        case .wasmNestedBlocks: "a binary function with 100,000 nested blocks (300 KB)"
        case .wasmOperandStack: "a binary function holding 65,537 values on its operand stack (196 KB)"
        }
    }

    var file: String { self == .watNestedBlocks ? "f.wat" : "f.wasm" }

    func bytes() throws -> [UInt8] {
        switch self {
        case .watNestedBlocks:
            let depth = 5_000
            return Array(("(module (func (export \"handle\") " + String(repeating: "(block ", count: depth)
                + String(repeating: ")", count: depth) + "))").utf8)
        case .wasmNestedBlocks:
            let depth = 100_000
            return Self.module(body: [0x02, 0x40].repeated(depth) + [UInt8](repeating: 0x0B, count: depth))
        case .wasmOperandStack:
            // 65,537 `i32.const 1`, then 65,536 `i32.add`, then `drop`.
            let count = 65_536
            return Self.module(body: [0x41, 0x01].repeated(count + 1) + [UInt8](repeating: 0x6A, count: count) + [0x1A])
        }
    }

    /// A module exporting `handle: [] -> []` with `body` (its instructions, without the final `end`).
    static func module(body: [UInt8]) -> [UInt8] {
        func section(_ id: UInt8, _ content: [UInt8]) -> [UInt8] { [id] + ModuleMutator.leb(UInt64(content.count)) + content }
        let code = [0x00] + body + [0x0B]  // no locals
        return [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
            + section(1, [0x01, 0x60, 0x00, 0x00])
            + section(3, [0x01, 0x00])
            + section(7, [0x01, 0x06] + Array("handle".utf8) + [0x00, 0x00])
            + section(10, [0x01] + ModuleMutator.leb(UInt64(code.count)) + code)
    }
}

extension Array {
    /// The elements repeated `count` times.
    func repeated(_ count: Int) -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(self.count * count)
        for _ in 0..<count { out += self }
        return out
    }
}

// MARK: - A server process to attack

/// `stratus serve` in its own process, with the app `keep` and its key `precious` deployed
/// before the attack. Its output goes to a file, so a chatty server never blocks on a pipe.
final class HostileServer: @unchecked Sendable {
    let dir: TemporaryDirectory
    let port: Int
    let token = "hostile-token"
    let process = Process()
    var base: String { "http://127.0.0.1:\(port)" }
    var log: String { dir.file("server.log") }

    /// The key and the routes that every hostile case must leave alone.
    static let keptKey = ("precious", "treasure \u{1F48E}")

    /// `launcher`: a command that runs `stratus` with its arguments, given after it (strace,
    /// a shell that lowers a limit first).
    private init(dir: TemporaryDirectory, arguments extra: [String], launcher: [String]) throws {
        self.dir = dir
        port = try StratusProcess.freePort()
        _ = FileManager.default.createFile(atPath: dir.file("server.log"), contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("server.log")))
        let command = launcher + [try StratusProcess.executable]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + ["serve", "--data", dir.file("data"), "--host", "127.0.0.1", "--port", String(port)]
            + extra
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STRATUS_") }
            // No backtrace on a crash: symbolicating one takes the runtime about ten seconds.
            .merging(["STRATUS_TOKEN": token, "SWIFT_BACKTRACE": "enable=no"]) { $1 }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Runs `body` against a fresh server holding the app `keep` and its key, then stops it.
    static func with(bodyLimit: Int? = nil, arguments: [String] = [], launcher: [String] = [],
                     _ body: (HostileServer) async throws -> Void) async throws {
        let server = try HostileServer(dir: try TemporaryDirectory(),
                                       arguments: (bodyLimit.map { ["--body-limit", String($0)] } ?? []) + arguments, launcher: launcher)
        defer { server.stop() }
        var up = false
        for _ in 0..<200 where !up {
            up = (try? await TestServer.request(.GET, server.base + "/_stratus/health"))?.status == 200
            if !up {
                guard server.isRunning else { break }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard up else { throw TestFailure("stratus serve did not start:\n\(server.logTail)") }
        _ = existedBefore
        let deployed = try await server.deploy(TestApps.bundle(app: "keep", [
            ("greet", TestApps.greeter(text: "kept "), ["GET /keep/:name"]),
            ("echo", TestApps.echo, ["POST /keep-echo"]),
        ]))
        guard deployed.status == 201 else { throw TestFailure("the app keep did not deploy: \(deployed.text)") }
        let written = try await server.request(.PUT, "/_stratus/apps/keep/kv/\(keptKey.0)", body: Array(keptKey.1.utf8), admin: true)
        guard written.status == 204 else { throw TestFailure("the key did not write: \(written.text)") }
        try await server.expectIntact()
        try await body(server)
    }

    var isRunning: Bool { process.isRunning }

    /// Whether and how the server process ended.
    var exitDescription: String {
        guard !process.isRunning else { return "the server still runs" }
        let how = process.terminationReason == .uncaughtSignal ? "killed by signal" : "exited with status"
        return "the server process \(how) \(process.terminationStatus)"
    }

    /// The reply of `body`; nil, with an issue naming `what` and how the server ended, when
    /// no answer came (the server crashed or closed the connection).
    func attempt(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: () async throws -> TestServer.Reply) async -> TestServer.Reply? {
        do {
            return try await body()
        } catch {
            for _ in 0..<20 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
            Issue.record("\(what): no answer (\(error)); \(exitDescription)\n\(logTail)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The end of the server's output, for failure messages.
    var logTail: String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return String(text.suffix(3000))
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    func request(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
                 admin: Bool = false) async throws -> TestServer.Reply {
        try await TestServer.request(method, base + path, body: body,
                                     headers: headers + (admin ? [("Authorization", "Bearer \(token)")] : []))
    }

    func deploy(_ bundle: AppBundle) async throws -> TestServer.Reply {
        let upload = try JSONEncoder().encode(DeployRequest(manifest: bundle.manifest, files: bundle.files))
        return try await request(.POST, "/_stratus/apps", body: [UInt8](upload), headers: [("Content-Type", "application/json")], admin: true)
    }

    /// A request sent byte for byte as given (no client normalizes `..`), with the admin token
    /// and `Connection: close`; the reply is read until the server closes the connection.
    func raw(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
             sendLength: Bool = true) async throws -> RawReply {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer \(token)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if sendLength { head += "Content-Length: \(body.count)\r\n" }
        return try await raw(bytes: Array((head + "\r\n").utf8) + (sendLength ? body : []))
    }

    func raw(bytes: [UInt8]) async throws -> RawReply {
        let connection = try RawConnection(port: port, timeout: 5)
        connection.send(bytes)
        return RawReply(await connection.receiveAll())
    }

    /// The app `keep` still serves its routes at version 1, and its key holds its value.
    func expectIntact(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard isRunning else {
            Issue.record("the app and key cannot be checked: \(exitDescription)\n\(logTail)", sourceLocation: sourceLocation)
            return
        }
        let health = try await request(.GET, "/_stratus/health")
        #expect(health.status == 200, "health: \(health.status) \(health.text)", sourceLocation: sourceLocation)
        let greet = try await request(.GET, "/keep/Ada")
        #expect(greet.status == 200 && greet.text == "kept Ada", "GET /keep/Ada: \(greet.status) \(greet.text)", sourceLocation: sourceLocation)
        let echo = try await request(.POST, "/keep-echo", body: Array("still here".utf8))
        #expect(echo.text == "still here", "POST /keep-echo: \(echo.status) \(echo.text)", sourceLocation: sourceLocation)
        let app = try await request(.GET, "/_stratus/apps/keep", admin: true)
        #expect(app.status == 200 && app.text.contains(#""version":1"#), "the app keep: \(app.status) \(app.text)", sourceLocation: sourceLocation)
        let key = try await request(.GET, "/_stratus/apps/keep/kv/\(Self.keptKey.0)", admin: true)
        #expect(key.status == 200 && key.text == Self.keptKey.1, "the key: \(key.status) \(key.text)", sourceLocation: sourceLocation)
    }

    /// A 4xx answer with a JSON error body (and `code`, when given).
    func expectJSONError(_ reply: TestServer.Reply, status: Int? = nil, code: String? = nil, _ what: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        let error = ErrorBody.decode(reply)
        let summary = "\(what): answered \(reply.status) \(reply.text.prefix(300))"
        #expect(status.map { $0 == reply.status } ?? (400...499).contains(reply.status), "\(summary)", sourceLocation: sourceLocation)
        #expect(error != nil, "\(summary): not a JSON error", sourceLocation: sourceLocation)
        #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true, "\(summary): not JSON",
                sourceLocation: sourceLocation)
        if let code, let error { #expect(error.code == code, "\(summary)", sourceLocation: sourceLocation) }
        #expect(isRunning, "\(what) crashed the server:\n\(logTail)", sourceLocation: sourceLocation)
    }

    /// The same for a raw reply. With `nioMayRefuse`, NIO's own refusal of a request it cannot
    /// parse (a bare 400, or the connection closed) is accepted too.
    func expectRawJSONError(_ reply: RawReply, _ what: String, status: Int? = nil, nioMayRefuse: Bool = false,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(isRunning, "\(what) crashed the server:\n\(logTail)", sourceLocation: sourceLocation)
        guard let actual = reply.status else {
            #expect(nioMayRefuse, "\(what): the connection closed with no answer", sourceLocation: sourceLocation)
            return
        }
        if nioMayRefuse, actual == 400, reply.body.isEmpty { return }
        let summary = "\(what): answered \(reply.head) \(reply.text.prefix(300))"
        #expect(status.map { $0 == actual } ?? (400...499).contains(actual), "\(summary)", sourceLocation: sourceLocation)
        #expect(reply.errorCode != nil, "\(summary): not a JSON error", sourceLocation: sourceLocation)
    }

    /// No file named in `names` appeared beside or above the data folder, and the data folder
    /// holds the store alone.
    func expectNothingWrittenOutside(_ names: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let data = dir.file("data")
        let beside = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        #expect(Set(beside) == ["data", "server.log"], "beside the data folder: \(beside)", sourceLocation: sourceLocation)
        let inside = (try? FileManager.default.contentsOfDirectory(atPath: data)) ?? []
        #expect(inside.allSatisfy { $0.hasPrefix("stratus.sqlite") || $0 == "admin-token" || $0 == "compiled" }, "in the data folder: \(inside)",
                sourceLocation: sourceLocation)
        // wasmtime's compiled code, named by the module's hash.
        let compiled = (try? FileManager.default.contentsOfDirectory(atPath: data + "/compiled")) ?? []
        #expect(compiled.allSatisfy { $0.hasSuffix(".cwasm") && $0.allSatisfy { $0.isHexDigit || $0 == "-" || $0 == "." || $0.isLetter } },
                "in the compiled code folder: \(compiled)", sourceLocation: sourceLocation)
        let parent = (dir.path as NSString).deletingLastPathComponent
        for folder in [parent, (parent as NSString).deletingLastPathComponent, "/", "/etc", FileManager.default.currentDirectoryPath] {
            for name in names where name != "passwd" || folder != "/etc" {
                #expect(!FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name))
                        || Self.existedBefore.contains((folder as NSString).appendingPathComponent(name)),
                        "\(folder)/\(name) appeared", sourceLocation: sourceLocation)
            }
        }
    }

    /// Files that may exist for reasons of their own (the test reports a file only if it is new).
    static let existedBefore: Set<String> = {
        var found: Set<String> = []
        let parent = (NSTemporaryDirectory() as NSString)
        for folder in [parent as String, parent.deletingLastPathComponent, "/", "/etc", FileManager.default.currentDirectoryPath] {
            for name in ["x", "b", "evil", "b.wasm", "f.wat", "c.wat", "escape.wat", "precious"] {
                let path = (folder as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: path) { found.insert(path) }
            }
        }
        return found
    }()
}

// MARK: - Raw sockets

/// A blocking TCP connection to a loopback port, for requests no well-behaved client sends.
final class RawConnection: @unchecked Sendable {
    private var fd: Int32

    init(port: Int, timeout: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            Glibc.close(fd)
            throw TestFailure("connect to port \(port) failed: errno \(errno)")
        }
    }

    /// Sends all of `bytes`; false when the server closed the connection first (which a server
    /// refusing a flood may do).
    @discardableResult func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count, fd >= 0 {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return offset == bytes.count
    }

    /// Everything the server sends until it closes the connection (or the timeout passes).
    /// Everything the server sends until it closes, read on a thread of its own so the wait
    /// holds no thread of the cooperative pool (other tests' tasks run meanwhile).
    func receiveAll(limit: Int = 8 << 20) async -> [UInt8] {
        (try? await onThread { self.receiveBlocking(limit: limit) }) ?? []
    }

    private func receiveBlocking(limit: Int) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while received.count < limit, fd >= 0 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return received
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

/// An HTTP/1.1 response as raw bytes: status, head and (not chunked) body.
struct RawReply {
    var status: Int?
    var head: String
    var body: [UInt8]

    init(_ bytes: [UInt8]) {
        let separator = Array("\r\n\r\n".utf8)
        let end = bytes.indices.first { bytes[$0...].starts(with: separator) }
        head = String(decoding: bytes[..<(end ?? bytes.count)], as: UTF8.self)
        body = end.map { Array(bytes[($0 + 4)...]) } ?? []
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let fields = statusLine.split(separator: " ")
        status = fields.count >= 2 && fields[0].hasPrefix("HTTP/") ? Int(fields[1]) : nil
        if head.isEmpty { head = "(connection closed, nothing sent)" }
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `code` of a JSON error body, if the body is one.
    var errorCode: String? {
        ErrorBody.decode(TestServer.Reply(status: status ?? 0, headers: [:], body: body))?.code
    }
}

// MARK: - Module mutations

/// Deterministic mutations of a small but varied module: bit flips, truncations, inserted
/// bytes, duplicated, dropped and swapped sections, huge and overlong LEB128 lengths.
enum ModuleMutator {
    static let count = 200

    /// A module with imports, a type, a table, a memory, a global, exports, an element and
    /// data segments, code with a loop and `call_indirect`, and a custom section.
    static func baseModule() throws -> [UInt8] {
        let binary = try WATGuest.binary("""
            (module
              (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
              (import "stratus" "ctx" (func $ctx (param i32 i32) (result i32)))
              (import "stratus" "buf_read" (func $buf_read (param i32 i32 i32 i32) (result i32)))
              (type $unary (func (param i32) (result i32)))
              (memory (export "memory") 1 2)
              (table 2 funcref)
              (global $calls (mut i32) (i32.const 0))
              (elem (i32.const 0) $double $increment)
              (data (i32.const 0) "fuzzed ")
              (data (i32.const 16) "param.name")
              (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
              (func $increment (type $unary) (i32.add (local.get 0) (i32.const 1)))
              (func (export "handle") (local $h i32) (local $n i32) (local $i i32)
                (block $done
                  (loop $again
                    (br_if $done (i32.ge_u (local.get $i) (i32.const 4)))
                    (global.set $calls (call_indirect (type $unary) (global.get $calls) (i32.rem_u (local.get $i) (i32.const 2))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $again)))
                (drop (call $out_write (i32.const 0) (i32.const 7)))
                (local.set $h (call $ctx (i32.const 16) (i32.const 10)))
                (if (i32.gt_s (local.get $h) (i32.const 0))
                  (then
                    (local.set $n (call $buf_read (local.get $h) (i32.const 0) (i32.const 1024) (i32.const 1024)))
                    (drop (call $out_write (i32.const 1024) (local.get $n)))))))
            """)
        let name = Array("fuzz".utf8)
        let payload = Array("hostile input".utf8)
        let custom = leb(UInt64(name.count)) + name + payload
        return binary + [0] + leb(UInt64(custom.count)) + custom
    }

    struct Section {
        let id: UInt8
        /// The section's id byte, the first byte of its content, and the byte after it.
        let start: Int, content: Int, end: Int
    }

    /// The sections of a well-formed module.
    static func sections(_ bytes: [UInt8]) -> [Section] {
        var found: [Section] = []
        var index = 8
        while index < bytes.count {
            guard let (size, length) = readLEB(bytes, index + 1) else { break }
            let content = index + 1 + length
            let end = content + Int(size)
            guard end <= bytes.count else { break }
            found.append(Section(id: bytes[index], start: index, content: content, end: end))
            index = end
        }
        return found
    }

    static func leb(_ value: UInt64) -> [UInt8] { LEB128.encode(value) }

    /// `value` in exactly `width` bytes (overlong when wider than needed).
    static func paddedLEB(_ value: UInt64, width: Int) -> [UInt8] {
        (0..<width).map { i in
            let bits = UInt8(truncatingIfNeeded: (value >> (7 * UInt64(i))) & 0x7F)
            return i == width - 1 ? bits : bits | 0x80
        }
    }

    static func readLEB(_ bytes: [UInt8], _ start: Int) -> (UInt64, Int)? { LEB128.read(bytes, at: start) }

    /// Mutation number `index` of `base`, and what it did.
    static func mutate(_ base: [UInt8], _ index: Int) -> (String, [UInt8]) {
        var random = SplitMix64(seed: UInt64(index) &+ 0x5EED)
        var bytes = base
        let all = sections(base)
        let section = all[random.below(all.count)]
        let huge: [UInt64] = [0xFFFF_FFFF, 0x7FFF_FFFF, 0x1000_0000, 1 << 20, 0xFFFF_FFFF_FFFF]
        switch index % 12 {
        case 0:
            let position = random.below(bytes.count), bit = random.below(8)
            bytes[position] ^= 1 << bit
            return ("flip bit \(bit) of byte \(position)", bytes)
        case 1:
            let flips = 2 + random.below(7)
            for _ in 0..<flips { bytes[random.below(bytes.count)] ^= 1 << random.below(8) }
            return ("flip \(flips) random bits", bytes)
        case 2:
            let length = random.below(bytes.count)
            return ("truncate to \(length) bytes", Array(bytes[..<length]))
        case 3:
            let position = random.below(bytes.count + 1), inserted = (0..<(1 + random.below(16))).map { _ in UInt8(random.below(256)) }
            bytes.insert(contentsOf: inserted, at: position)
            return ("insert \(inserted.count) bytes at \(position)", bytes)
        case 4:
            bytes.insert(contentsOf: base[section.start..<section.end], at: section.end)
            return ("duplicate section \(section.id) at \(section.start)", bytes)
        case 5:
            let size = huge[random.below(huge.count)]
            bytes.replaceSubrange(section.start + 1..<section.content, with: leb(size))
            return ("section \(section.id) at \(section.start) claims \(size) bytes", bytes)
        case 6:
            // The count that starts the section's content (the length of a vector), made huge; the
            // section's own size is fixed up so that the parser reaches it.
            guard let (_, length) = readLEB(base, section.content) else { return ("unchanged", bytes) }
            let count = huge[random.below(huge.count)]
            var content = Array(base[section.content..<section.end])
            content.replaceSubrange(0..<min(length, content.count), with: leb(count))
            bytes.replaceSubrange(section.start..<section.end, with: [section.id] + leb(UInt64(content.count)) + content)
            return ("section \(section.id) at \(section.start) holds a vector of \(count) entries", bytes)
        case 7:
            let size = UInt64(section.end - section.content), width = 2 + random.below(10)
            bytes.replaceSubrange(section.start + 1..<section.content, with: paddedLEB(size, width: width))
            return ("section \(section.id) at \(section.start) with its size in \(width) LEB128 bytes", bytes)
        case 8:
            let position = random.below(bytes.count), value: UInt8 = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x0B, 0x40, 0xFC, 0xFD][random.below(9)]
            bytes[position] = value
            return ("set byte \(position) to \(value)", bytes)
        case 9:
            if random.below(2) == 0 || all.count < 2 {
                bytes.removeSubrange(section.start..<section.end)
                return ("drop section \(section.id) at \(section.start)", bytes)
            }
            let first = random.below(all.count - 1)
            let (a, b) = (all[first], all[first + 1])
            bytes.replaceSubrange(a.start..<b.end, with: base[b.start..<b.end] + base[a.start..<a.end])
            return ("swap sections \(a.id) and \(b.id)", bytes)
        case 10:
            let id = UInt8(random.below(256))
            bytes[section.start] = id
            return ("section \(section.id) at \(section.start) renumbered \(id)", bytes)
        default:
            // An instruction byte inside the code section replaced with an unusual opcode.
            let code = all.first { $0.id == 10 } ?? section
            let position = code.content + random.below(max(1, code.end - code.content))
            let opcode: UInt8 = [0xFC, 0xFD, 0x11, 0x0E, 0x40, 0x02, 0x1C, 0xD2, 0x0F, 0x00, 0x05][random.below(11)]
            bytes[position] = opcode
            return ("opcode \(opcode) at \(position) in the code", bytes)
        }
    }
}

