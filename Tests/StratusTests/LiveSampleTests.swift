import Foundation
import StratusCLI
import Testing

/// The live sample in a real browser: two tabs of its page stay connected over WebSockets; a
/// note written through the HTTP API shows up in both, pushed by the KV trigger.
@Suite struct LiveSampleTests {
    @Test func aNotePostedThroughTheAPIShowsUpInTwoOpenPages() async throws {
        let dir = try TemporaryDirectory()
        let sample = Repository.root.appendingPathComponent("samples/live").path
        try await TestServer.with(dir: dir, events: true) { server in
            _ = try await server.platform.deploy(try AppFolder.read(sample))
            let browser = try HeadlessChromium()
            defer { browser.stop() }
            let base = server.base
            try await browser.session { devtools in
                let pages = [try await devtools.open(base + "/live/"), try await devtools.open(base + "/live/")]
                for page in pages {
                    _ = try await Self.until("the page connected") { try await devtools.evaluate(page, "document.body.dataset.live || ''") == "yes" }
                }
                let posted = try await TestServer.request(.POST, base + "/live/api/notes", body: Array("hello from the API".utf8))
                #expect(posted.status == 201 && posted.text == "noted 1\n", "\(posted.status) \(posted.text)")
                for page in pages {
                    _ = try await Self.until("the note shown") {
                        try await devtools.evaluate(page, "Array.from(document.querySelectorAll('#notes li')).map(e => e.textContent).join('|')")
                            == "hello from the API"
                    }
                }
            }
            #expect(try await TestServer.request(.GET, base + "/live/api/notes").text == "hello from the API\n")
        }
    }

    static func until(_ what: String, _ probe: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await probe() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}
