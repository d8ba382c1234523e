import ArgumentParser
import Foundation
import StratusHTTP

/// `stratus dead-letters [APP]` and `stratus dead-letters replay ID`.
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "Events whose function failed every attempt; replay them once fixed.",
        subcommands: [List.self, Replay.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, oldest first.")
        @Argument(help: "Only this app's.") var app: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let query = app.map { "?app=\($0)" } ?? ""
            let reply = try await options.client().expectSuccess(.GET, "/_stratus/dead-letters" + query)
            let list = try AdminJSONDecoding.decode(DeadLetterList.self, reply.body)
            if list.deadLetters.isEmpty { print("no dead letters") }
            for item in list.deadLetters {
                let key = item.key.map { " \(item.op ?? "") \($0)" } ?? ""
                print("\(item.id)  \(item.app)/\(item.function)  \(item.trigger)\(key)  \(item.attempts) attempts: \(item.error ?? "")")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a dead letter again with fresh attempts.")
        @Argument(help: "The dead letter's id.") var id: Int64
        @OptionGroup var options: ClientOptions

        func run() async throws {
            _ = try await options.client().expectSuccess(.POST, "/_stratus/dead-letters/\(id)/replay")
            print("replaying \(id)")
        }
    }
}
