import ArgumentParser
import Foundation
import StratusHTTP
import StratusRuntime

/// `stratus logs APP[/FN] [--follow]`: recent invocations with their log lines.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Show recent invocations of an app or function with their log lines and standard error.",
        discussion: "The server keeps the last 1,000 invocations of each app in memory, with up to 8 KiB of log lines each.")

    @Argument(help: "APP or APP/FUNCTION.") var target: String
    @Flag(name: .shortAndLong, help: "Keep printing invocations as they finish, until interrupted.") var follow = false
    @Option(name: .long, help: "How many recent invocations to show first (1 to 1000; default 20).") var limit = 20
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
    }

    func run() async throws {
        let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
        guard let app = parts.first else { throw ValidationError("give APP or APP/FUNCTION") }
        let query = "app=\(app)" + (parts.count == 2 ? "&function=\(parts[1])" : "")
        let client = options.client()
        var list = try await fetch(client, query + "&limit=\(limit)")
        while true {
            for record in list.invocations { print(Self.format(record)) }
            guard follow else { return }
            // A pipe (`| grep`) gets each invocation as it finishes, not when a buffer fills.
            fflush(nil)
            let after = list.invocations.last?.seq ?? list.latest
            list = try await fetch(client, query + "&after=\(after)&limit=1000&wait=25")
        }
    }

    private func fetch(_ client: AdminClient, _ query: String) async throws -> InvocationList {
        let reply = try await client.expectSuccess(.GET, "/_stratus/logs?" + query)
        return try AdminJSONDecoding.decode(InvocationList.self, reply.body)
    }

    /// `2026-11-23T23:41:48.123Z  hello/hello  http  ok 200  0.84 ms  id 0f3a…` and its lines.
    static func format(_ record: InvocationRecord) -> String {
        let time = record.start.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
        var outcome = record.outcome
        if let status = record.status { outcome += " \(status)" }
        var text = "\(time)  \(record.app)/\(record.function)  \(record.trigger)  \(outcome)  \(String(format: "%.2f", record.durationMs)) ms  id \(record.id)"
        if let error = record.error { text += "\n    error: \(error)" }
        for line in record.lines {
            text += "\n    \(line.source == "stderr" ? "stderr" : line.level): \(line.message)"
        }
        return text
    }
}
