import Foundation
import StratusStore
import Testing

/// The management page in a real browser: headless Chromium loads each view of `/_stratus/ui`
/// against a server with known apps, invocations, keys and a dead letter, and the test reads
/// what the page shows (the DOM after its scripts ran).
@Suite(.serialized) struct WebUITests {
    /// The DOM of `url` once its scripts have run for `budget` ms of virtual time.
    static func render(_ url: String, budget: Int = 3000) throws -> String {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else { throw TestFailure("Chromium is not installed; scripts/setup.sh installs it (apt-get install chromium)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--virtual-time-budget=\(budget)", "--dump-dom", url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// What the page's `<main>` holds: the view it drew.
    static func main(_ dom: String) -> String {
        guard let start = dom.range(of: "<main"), let end = dom.range(of: "</main>") else { return "" }
        return String(dom[start.lowerBound..<end.upperBound])
    }

    @Test func eachViewShowsThePlatformsState() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            try await ObservabilityTests.invokeKnownMix(server)
            #expect(try await server.request(.PUT, "/_stratus/apps/obs/kv/greeting", body: Array("bonjour".utf8), admin: true).status == 204)
            let dead = try server.platform.store.enqueue(EventRecord(app: "obs", function: "boom", kind: .async, payload: []))
            try await server.platform.store.failEvent(id: dead, error: "trap: unreachable executed", retryAt: nil)
            let page = "\(server.base)/_stratus/ui#token=\(server.token)&view="

            let apps = Self.main(try Self.render(page + "apps"))
            #expect(apps.contains(#"data-app="obs""#) && apps.contains("version 1"), "\(apps)")
            for function in ["hello", "boom", "errs"] { #expect(apps.contains("data-function=\"obs/\(function)\"")) }
            #expect(apps.contains("GET /obs/hello") && apps.contains("hello.wat [handle]"))

            let invocations = Self.main(try Self.render(page + "invocations"))
            #expect(invocations.components(separatedBy: "class=\"invocation\"").count - 1 == 5, "\(invocations)")
            #expect(invocations.contains(#"data-invocation="obs/boom""#) && invocations.contains("guest_trap"))
            #expect(invocations.contains("ok 200"))

            let keys = Self.main(try Self.render(page + "keys"))
            #expect(keys.contains(#"data-key="count""#) && keys.contains(#"data-key="greeting""#), "\(keys)")
            #expect(keys.contains("bonjour"))

            let charts = Self.main(try Self.render(page + "charts", budget: 5000))
            #expect(charts.contains(#"data-chart="obs/hello""#) && charts.contains("3 invocations"), "\(charts)")
            #expect(charts.contains("<polyline"), "a line of samples is drawn")

            let letters = Self.main(try Self.render(page + "dead-letters"))
            #expect(letters.contains("data-dead-letter=\"\(dead)\"") && letters.contains("trap: unreachable executed"), "\(letters)")
            #expect(letters.contains("data-replay=\"\(dead)\""))
        }
    }

    @Test func itSignsInWithTheAdminTokenOnly() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            let signIn = Self.main(try Self.render("\(server.base)/_stratus/ui"))
            #expect(signIn.contains(#"id="signin""#) && signIn.contains("Admin token"), "\(signIn)")
            let refused = Self.main(try Self.render("\(server.base)/_stratus/ui#token=wrong&view=apps"))
            #expect(refused.contains(#"id="signin""#) && refused.contains("The token was refused"), "\(refused)")
            let page = try await server.request(.GET, "/_stratus/ui")
            #expect(page.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
            #expect(!page.text.contains("http://") && !page.text.contains("https://"), "the page loads nothing from elsewhere")
        }
    }
}
