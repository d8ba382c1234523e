import Foundation
import NIOHTTP1
import StratusRuntime
import Testing

@Suite struct HTTPTests {
    @Test func servesPublicRoutesWithParametersHeadersAndStatus() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let deployed = try await server.deploy(TestApps.bundle(app: "greet", [
                ("hi", TestApps.greeter(text: "hi "), ["GET /hi/:name"]),
                ("echo", TestApps.echo, ["POST /echo", "PUT /echo/*rest"]),
                ("method", TestApps.greeter(text: "", key: "header.x-probe"), ["GET /probe"]),
            ]))
            #expect(deployed.status == 201)
            let hi = try await server.request(.GET, "/hi/Ada")
            #expect(hi.status == 200)
            #expect(hi.text == "hi Ada")
            let echo = try await server.request(.POST, "/echo", body: Array("ping".utf8))
            #expect(echo.text == "ping")
            let rest = try await server.request(.PUT, "/echo/a/b", body: Array("deep".utf8))
            #expect(rest.text == "deep")
            let probe = try await server.request(.GET, "/probe", headers: [("X-Probe", "seen")])
            #expect(probe.text == "seen")
        }
    }

    @Test func answersJSONErrorsFor404And405() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            _ = try await server.deploy(TestApps.bundle(app: "a", [("f", TestApps.echo, ["POST /only-post"])]))
            let missing = try await server.request(.GET, "/nowhere")
            #expect(missing.status == 404)
            #expect(ErrorBody.decode(missing)?.code == "route_not_found")
            let wrongMethod = try await server.request(.GET, "/only-post")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers.first(name: "Allow") == "POST")
            #expect(ErrorBody.decode(wrongMethod)?.code == "method_not_allowed")
        }
    }

    @Test func refusesAnOversizedBodyWith413AndKeepsServing() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir, bodyLimit: 1024) { server in
            _ = try await server.deploy(TestApps.bundle(app: "a", [("f", TestApps.echo, ["POST /echo"])]))
            let big = try await server.request(.POST, "/echo", body: [UInt8](repeating: 65, count: 4096))
            #expect(big.status == 413)
            #expect(ErrorBody.decode(big)?.code == "body_too_large")
            let small = try await server.request(.POST, "/echo", body: [UInt8](repeating: 66, count: 1024))
            #expect(small.status == 200)
            #expect(small.body.count == 1024)
        }
    }

    @Test func aTrapAnswers500WithGuestTrap() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            _ = try await server.deploy(TestApps.bundle(app: "a", [("boom", TestApps.trap, ["GET /boom"])]))
            let reply = try await server.request(.GET, "/boom")
            #expect(reply.status == 500)
            let error = try #require(ErrorBody.decode(reply))
            #expect(error.code == "guest_trap")
            #expect(error.message.contains("unreachable"))
        }
    }

    @Test func theAdminAPINeedsTheToken() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let none = try await server.request(.GET, "/_stratus/apps")
            #expect(none.status == 401)
            #expect(ErrorBody.decode(none)?.code == "unauthorized")
            let wrong = try await server.request(.GET, "/_stratus/apps", headers: [("Authorization", "Bearer test-tokeX")])
            #expect(wrong.status == 401)
            let prefix = try await server.request(.GET, "/_stratus/apps", headers: [("Authorization", "Bearer test")])
            #expect(prefix.status == 401)
            let right = try await server.request(.GET, "/_stratus/apps", admin: true)
            #expect(right.status == 200)
            #expect(right.text.contains("\"apps\""))
        }
    }

    @Test func theAdminAPIRefusesBadUploadsWithJSONErrors() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let garbage = try await server.request(.POST, "/_stratus/apps", body: Array("{not json".utf8), admin: true)
            #expect(garbage.status == 400)
            #expect(ErrorBody.decode(garbage)?.code == "bad_json")
            let badBase64 = try await server.request(.POST, "/_stratus/apps",
                                                     body: Array(#"{"manifest": "app: a", "files": {"f.wasm": "%%%"}}"#.utf8), admin: true)
            #expect(ErrorBody.decode(badBase64)?.message.contains("f.wasm") == true)
            var unknownKey = TestApps.bundle(app: "a", [("f", TestApps.echo, ["POST /e"])])
            unknownKey.manifest += "colour: blue\n"
            let manifest = try await server.deploy(unknownKey)
            #expect(manifest.status == 400)
            #expect(ErrorBody.decode(manifest)?.message.contains("`colour`") == true)
            let badModule = try await server.deploy(TestApps.bundle(app: "a", [("f", "(module (func (export \"handle\") i32.add))", [])]))
            #expect(badModule.status == 400)
            #expect(ErrorBody.decode(badModule)?.code == "module_invalid")
        }
    }

    @Test func aHeldRouteIsRefusedWith409NamingTheHolder() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            _ = try await server.deploy(TestApps.bundle(app: "first", [("f", TestApps.echo, ["POST /shared"])]))
            let second = try await server.deploy(TestApps.bundle(app: "second", [("g", TestApps.echo, ["POST /shared"])]))
            #expect(second.status == 409)
            #expect(ErrorBody.decode(second)?.message.contains("`first`") == true)
        }
    }

    @Test func theAdminAPIListsInvokesAndDeletes() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            _ = try await server.deploy(TestApps.bundle(app: "tools", [("echo", TestApps.echo, ["POST /tools/echo"])]))
            let app = try await server.request(.GET, "/_stratus/apps/tools", admin: true)
            #expect(app.status == 200)
            #expect(app.text.contains("POST /tools/echo"))
            let invoked = try await server.request(.POST, "/_stratus/apps/tools/functions/echo/invoke", body: Array("via admin".utf8), admin: true)
            #expect(invoked.text == "via admin")
            let deleted = try await server.request(.DELETE, "/_stratus/apps/tools", admin: true)
            #expect(deleted.status == 204)
            #expect(try await server.request(.POST, "/tools/echo").status == 404)
            #expect(try await server.request(.GET, "/_stratus/apps/tools", admin: true).status == 404)
            let wrongVerb = try await server.request(.PUT, "/_stratus/apps", admin: true)
            #expect(wrongVerb.status == 405)
        }
    }

    @Test func theAdminAPIReadsAndWritesKeys() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            #expect(try await server.request(.PUT, "/_stratus/apps/shop/kv/orders/1", body: Array("first".utf8)).status == 401)
            #expect(try await server.request(.PUT, "/_stratus/apps/shop/kv/orders/1", body: Array("first".utf8), admin: true).status == 204)
            #expect(try await server.request(.PUT, "/_stratus/apps/shop/kv/orders/2", body: [0xFF, 0x00], admin: true).status == 204)
            #expect(try await server.request(.PUT, "/_stratus/apps/shop/kv/with%20space", body: Array("s".utf8), admin: true).status == 204)
            let value = try await server.request(.GET, "/_stratus/apps/shop/kv/orders/1", admin: true)
            #expect(value.text == "first")
            #expect(try await server.request(.GET, "/_stratus/apps/shop/kv/with%20space", admin: true).text == "s")

            let list = try await server.request(.GET, "/_stratus/apps/shop/kv?prefix=orders/&limit=1", admin: true)
            let page = try JSONDecoder().decode(KVListReply.self, from: Data(list.body))
            #expect(page.items.map(\.key) == ["orders/1"])
            #expect(page.items.first?.value == "first")
            #expect(page.next == "orders/1")
            let second = try await server.request(.GET, "/_stratus/apps/shop/kv?prefix=orders/&after=orders/1", admin: true)
            let rest = try JSONDecoder().decode(KVListReply.self, from: Data(second.body))
            #expect(rest.items.map(\.key) == ["orders/2"])
            #expect(rest.items.first?.value == nil, "a value that is not UTF-8 has no text form")
            #expect(rest.items.first?.value_base64 == "/wA=")
            for bad in ["0", "10001", "many"] {
                let refused = try await server.request(.GET, "/_stratus/apps/shop/kv?limit=\(bad)", admin: true)
                #expect(refused.status == 400 && ErrorBody.decode(refused)?.code == "bad_limit", "limit=\(bad): \(refused.status)")
            }

            #expect(try await server.request(.DELETE, "/_stratus/apps/shop/kv/orders/1", admin: true).status == 204)
            let gone = try await server.request(.GET, "/_stratus/apps/shop/kv/orders/1", admin: true)
            #expect(gone.status == 404)
            #expect(ErrorBody.decode(gone)?.code == "kv_key_not_found")
            let tooLong = try await server.request(.PUT, "/_stratus/apps/shop/kv/" + String(repeating: "k", count: 513), body: [1], admin: true)
            #expect(tooLong.status == 413)
            let badApp = try await server.request(.GET, "/_stratus/apps/Bad_App/kv", admin: true)
            #expect(badApp.status == 400)
        }
    }

    private struct KVListReply: Decodable {
        struct Item: Decodable { let key: String; let value: String?; let value_base64: String }
        let items: [Item]
        let next: String?
    }

    @Test func servesTheOpenAPIDocument() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let doc = try await server.request(.GET, "/_stratus/openapi.yaml")
            #expect(doc.status == 200)
            #expect(doc.text.hasPrefix("openapi: 3"))
            for path in ["/_stratus/apps:", "/_stratus/apps/{app}:", "/_stratus/apps/{app}/functions/{function}/invoke:"] {
                #expect(doc.text.contains(path))
            }
        }
    }

    @Test func everyAdminRouteNeedsTheTokenAndPublicOnesDoNot() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            _ = try await server.deploy(TestApps.bundle(app: "a", [("f", TestApps.echo, ["POST /pub"])]))
            let routes: [(HTTPMethod, String)] = [
                (.GET, "/_stratus/apps"), (.POST, "/_stratus/apps"), (.GET, "/_stratus/apps/a"), (.DELETE, "/_stratus/apps/a"),
                (.GET, "/_stratus/apps/a/kv"), (.GET, "/_stratus/apps/a/kv/k"), (.PUT, "/_stratus/apps/a/kv/k"),
                (.DELETE, "/_stratus/apps/a/kv/k"), (.POST, "/_stratus/apps/a/functions/f/invoke"),
                (.POST, "/_stratus/apps/a/functions/f/spawn"), (.GET, "/_stratus/dead-letters"),
                (.POST, "/_stratus/dead-letters/1/replay"),
            ]
            for (method, path) in routes {
                for headers in [[], [("Authorization", "Bearer wrong")], [("Authorization", "test-token")]] {
                    let reply = try await server.request(method, path, body: Array("x".utf8), headers: headers)
                    #expect(reply.status == 401, "\(method) \(path) with \(headers)")
                    #expect(ErrorBody.decode(reply)?.code == "unauthorized")
                }
            }
            #expect(try await server.request(.GET, "/_stratus/apps/a", admin: true).status == 200)
            #expect(try await server.request(.POST, "/pub", body: Array("hi".utf8)).text == "hi")
            #expect(try await server.request(.GET, "/_stratus/health").status == 200)
            #expect(try await server.request(.GET, "/_stratus/openapi.yaml").status == 200)
            // Nothing an unauthenticated request did reached the app.
            #expect(server.platform.app(named: "a") != nil)
        }
    }
}
