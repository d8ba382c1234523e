import Foundation
import StratusEngine
import StratusRuntime
import Testing

/// Guests' outbound HTTP against a real server on loopback: the allow-list, redirects within
/// it and out of it, and the answer's status through `buf_meta`.
@Suite struct OutboundTests {
    @Test func fetchesAllowedOriginsOnlyAndFollowsRedirectsWithinThem() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let port = server.base.split(separator: ":").last!
            _ = try await server.deploy(TestApps.bundle(app: "remote", [
                ("hello", TestApps.greeter(text: "hi there"), ["GET /remote/hello"]),
                ("inside", CompositionGuests.redirect(to: "/remote/hello"), ["GET /remote/in"]),
                ("outside", CompositionGuests.redirect(to: "http://localhost:\(port)/remote/hello"), ["GET /remote/out"]),
            ]))
            _ = try await server.deploy(TestApps.bundle(app: "client", [("fetch", CompositionGuests.fetcher, [])],
                                                        extra: "outbound:\n  - http://127.0.0.1:\(port)\n"))
            _ = try await server.deploy(TestApps.bundle(app: "closed", [("fetch", CompositionGuests.fetcher, [])]))

            func fetch(_ app: String, _ url: String) async throws -> String {
                let output = try await server.platform.invoke(app: app, function: "fetch", input: Array(url.utf8), trigger: "call")
                return String(decoding: output.body, as: UTF8.self)
            }
            let base = server.base
            #expect(try await fetch("client", base + "/remote/hello") == "200 hi there")
            #expect(try await fetch("client", base + "/remote/in") == "200 hi there", "a redirect within the list is followed")
            #expect(try await fetch("client", base + "/remote/out") == "E3", "a redirect to another origin is DENIED")
            #expect(try await fetch("client", base + "/nowhere").hasPrefix("404 {\"error\""))
            #expect(try await fetch("client", "http://localhost:\(port)/remote/hello") == "E3")
            #expect(try await fetch("client", "https://127.0.0.1:\(port)/remote/hello") == "E3", "the scheme is part of the origin")
            #expect(try await fetch("closed", base + "/remote/hello") == "E3", "an app without outbound reaches nothing")
            #expect(try await fetch("client", "not a url") == "E2")
            // Nothing listens there: the request fails as FAILED, the guest goes on.
            let closedPort = try StratusProcess.freePort()
            _ = try await server.deploy(TestApps.bundle(app: "client", [("fetch", CompositionGuests.fetcher, [])],
                                                        extra: "outbound:\n  - http://127.0.0.1:\(closedPort)\n"))
            #expect(try await fetch("client", "http://127.0.0.1:\(closedPort)/") == "E6")
        }
    }
}
