import ArgumentParser
import Foundation
import NIOHTTP1
import StratusHTTP

/// `stratus kv get|set|delete|list`: an app's keys, through the admin API.
struct KVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv", abstract: "Read and write an app's keys.",
        subcommands: [Get.self, Set.self, Delete.self, List.self])

    /// `/_stratus/apps/APP/kv/KEY` with the key percent-encoded (it may hold `/` and spaces).
    static func path(_ app: String, _ key: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "%?#")
        return "/_stratus/apps/\(app)/kv/" + (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a key's value.")
        @Argument(help: "The app.") var app: String
        @Argument(help: "The key.") var key: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let reply = try await options.client().expectSuccess(.GET, KVCommand.path(app, key))
            FileHandle.standardOutput.write(Data(reply.body))
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a key; the value is VALUE, else standard input.")
        @Argument(help: "The app.") var app: String
        @Argument(help: "The key.") var key: String
        @Argument(help: "The value (standard input when left out).") var value: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let bytes = value.map { Array($0.utf8) } ?? [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            _ = try await options.client().expectSuccess(.PUT, KVCommand.path(app, key), body: bytes)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a key.")
        @Argument(help: "The app.") var app: String
        @Argument(help: "The key.") var key: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            _ = try await options.client().expectSuccess(.DELETE, KVCommand.path(app, key))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (and values) in key order, one per line.")
        @Argument(help: "The app.") var app: String
        @Argument(help: "Only keys starting with this prefix.") var prefix: String = ""
        @Option(name: .long, help: "The most keys to list.") var limit: Int = 1000
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = options.client()
            var after: String?
            var printed = 0
            while printed < limit {
                var query = URLComponents()
                query.queryItems = [URLQueryItem(name: "prefix", value: prefix), URLQueryItem(name: "limit", value: String(min(1000, limit - printed)))]
                if let after { query.queryItems?.append(URLQueryItem(name: "after", value: after)) }
                let reply = try await client.expectSuccess(.GET, "/_stratus/apps/\(app)/kv?" + (query.percentEncodedQuery ?? ""))
                let page = try AdminJSONDecoding.decode(KVList.self, reply.body)
                for item in page.items {
                    let value = item.value.map { $0.replacingOccurrences(of: "\n", with: "\\n") } ?? "<\(item.size) bytes>"
                    print("\(item.key)\t\(value)")
                }
                printed += page.items.count
                guard let next = page.next else { break }
                after = next
            }
        }
    }
}
