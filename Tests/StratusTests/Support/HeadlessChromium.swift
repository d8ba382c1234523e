import Foundation
import Logging
import WSClient

/// A headless Chromium driven over the DevTools protocol, in real time: pages opened as tabs,
/// JavaScript evaluated in them. (`--dump-dom` fast-forwards virtual time, which a page
/// waiting on a WebSocket cannot use.)
final class HeadlessChromium: @unchecked Sendable {
    private let process = Process()
    private let profile: TemporaryDirectory
    let endpoint: String

    init() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else { throw TestFailure("Chromium is not installed; scripts/setup.sh installs it (apt-get install chromium)") }
        profile = try TemporaryDirectory()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=\(profile.path)", "about:blank"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Chromium says where its DevTools endpoint listens on its standard error.
        var seen = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let line = seen.split(separator: "\n").first(where: { $0.contains("DevTools listening on ") }) {
                endpoint = String(line.split(separator: " ").last!)
                return
            }
        }
        process.terminate()
        throw TestFailure("Chromium did not start its DevTools endpoint: \(seen)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Runs `body` with a session on the browser: `open(url)` makes a tab and answers its
    /// session, `evaluate(session, expression)` answers the expression's value as a string.
    func session(_ body: @escaping @Sendable (DevTools) async throws -> Void) async throws {
        let failure = FailureBox()
        try await WebSocketClient.connect(url: endpoint, configuration: .init(maxFrameSize: 16 << 20), logger: Logger(label: "cdp")) {
            inbound, outbound, _ in
            do {
                try await body(DevTools(inbound: inbound.messages(maxSize: 16 << 20).makeAsyncIterator(), outbound: outbound))
            } catch {
                failure.error = error
            }
        }
        if let error = failure.error { throw error }
    }

    private final class FailureBox: @unchecked Sendable {
        var error: (any Error)?
    }

    /// Commands and their answers on one DevTools connection (events are skipped).
    final class DevTools: @unchecked Sendable {
        private var inbound: WebSocketInboundMessageStream.AsyncIterator
        private let outbound: WebSocketOutboundWriter
        private var nextID = 1

        init(inbound: WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter) {
            self.inbound = inbound
            self.outbound = outbound
        }

        func open(_ url: String) async throws -> String {
            let target = try await command("Target.createTarget", ["url": url])
            let attached = try await command("Target.attachToTarget", ["targetId": target["targetId"] as? String ?? "", "flatten": true])
            return attached["sessionId"] as? String ?? ""
        }

        func evaluate(_ session: String, _ expression: String) async throws -> String {
            let reply = try await command("Runtime.evaluate", ["expression": expression, "returnByValue": true], session: session)
            let result = reply["result"] as? [String: Any]
            return result?["value"].map { "\($0)" } ?? ""
        }

        private func command(_ method: String, _ params: [String: Any], session: String? = nil) async throws -> [String: Any] {
            let id = nextID
            nextID += 1
            var message: [String: Any] = ["id": id, "method": method, "params": params]
            if let session { message["sessionId"] = session }
            try await outbound.write(.text(String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)))
            while let frame = try await inbound.next() {
                guard case .text(let text) = frame,
                      let reply = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                      reply["id"] as? Int == id else { continue }
                if let error = reply["error"] { throw TestFailure("\(method) failed: \(error)") }
                return reply["result"] as? [String: Any] ?? [:]
            }
            throw TestFailure("the DevTools connection closed during \(method)")
        }
    }
}
