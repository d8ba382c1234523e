import Foundation
import StratusCLI
import StratusRuntime
import Testing

/// Request filters over real HTTP: the vault sample's bearer-token filter, context values a
/// filter passes on, and a filter that fails closed.
@Suite struct FilterTests {
    @Test func theVaultFilterLetsOnlyTheTokenThrough() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let bundle = try AppFolder.read(try Repository.sample("vault", module: "auth.wasm"))
            #expect(try await server.deploy(bundle).status == 201)
            let lobby = try await server.request(.GET, "/vault")
            #expect(lobby.text == "the lobby is open to all", "an unguarded function answers everyone")
            let anonymous = try await server.request(.GET, "/vault/secret")
            #expect(anonymous.status == 401)
            #expect(ErrorBody.decode(anonymous)?.code == "unauthorized")
            #expect(anonymous.headers.first(name: "WWW-Authenticate") == "Bearer")
            let wrong = try await server.request(.GET, "/vault/secret", headers: [("Authorization", "Bearer open-sesamE")])
            #expect(wrong.status == 401)
            let right = try await server.request(.GET, "/vault/secret", headers: [("Authorization", "Bearer open-sesame")])
            #expect(right.status == 200)
            #expect(right.text == "the vault opens for token-holder")
        }
    }

    @Test func filtersRunInOrderPassContextAndFailClosed() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let tagger = """
            (module
              (import "stratus" "out_header" (func $header (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "Stratus-Context-Tenant")
              (data (i32.const 64) "acme")
              (func (export "handle") (drop (call $header (i32.const 0) (i32.const 22) (i32.const 64) (i32.const 4)))))
            """
            _ = try await server.deploy(TestApps.bundle(app: "chain", [
                ("tag", tagger, []),
                ("show", TestApps.greeter(text: "tenant=", key: "filter.tenant"), ["GET /show", "GET /broken"]),
                ("boom", TestApps.trap, []),
                ("open", TestApps.greeter(text: "open"), ["GET /open"]),
            ], extra: "filters:\n  - function: tag\n    before: [show, open]\n  - function: boom\n    before: [open]\n"))
            #expect(try await server.request(.GET, "/show").text == "tenant=acme")
            // `open` passes `tag`, then `boom` traps: the request fails, `open` never answers.
            let failed = try await server.request(.GET, "/open")
            #expect(failed.status == 500)
            #expect(ErrorBody.decode(failed)?.code == "guest_trap")
            // A filter does not apply when the function is called directly (not over HTTP).
            let direct = try await server.request(.POST, "/_stratus/apps/chain/functions/open/invoke", admin: true)
            #expect(direct.text == "open")
        }
    }

    @Test func aFilterMustNameFunctionsOfTheApp() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let reply = try await server.deploy(TestApps.bundle(app: "f", [("a", TestApps.echo, ["GET /a"])],
                                                                extra: "filters:\n  - function: nope\n"))
            #expect(reply.status == 400)
            #expect(ErrorBody.decode(reply)?.message.contains("filters[0].function: `nope` is not a function of this app") == true)
        }
    }
}
