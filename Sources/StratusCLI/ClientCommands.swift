import ArgumentParser
import Foundation
import StratusHTTP
import StratusModel

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Upload an app folder; it replaces the app's previous version atomically.")

    @Argument(help: "The app folder, or the path of its stratus.yaml.") var folder: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let bundle = try AppFolder.read(folder)
        let body = try JSONEncoder().encode(DeployRequest(manifest: bundle.manifest, files: bundle.files))
        let reply = try await options.client().expectSuccess(.POST, "/_stratus/apps", body: [UInt8](body))
        let app = try AdminJSONDecoding.decode(AppSummary.self, reply.body)
        print("deployed \(app.app) version \(app.version)")
        printFunctions(app)
    }
}

struct AppsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps", abstract: "List the deployed apps with their functions and routes.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let reply = try await options.client().expectSuccess(.GET, "/_stratus/apps")
        let list = try AdminJSONDecoding.decode(AppList.self, reply.body)
        if list.apps.isEmpty { print("no apps deployed; `stratus deploy DIR` deploys one") }
        for app in list.apps {
            print("\(app.app) (version \(app.version), deployed \(ISO8601DateFormatter().string(from: app.deployedAt)))")
            printFunctions(app)
        }
    }
}

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove an app and its routes.")

    @Argument(help: "The app's name.") var app: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        _ = try await options.client().expectSuccess(.DELETE, "/_stratus/apps/\(app)")
        print("deleted \(app)")
    }
}

struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Run a function with an input and print its output.",
        discussion: "The input is --input, else the contents of --input-file, else standard input.")

    @Argument(help: "APP/FUNCTION") var target: String
    @Option(name: .long, help: "The input text.") var input: String?
    @Option(name: .long, help: "A file whose contents are the input.") var inputFile: String?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        let parts = target.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("name the function as APP/FUNCTION, for example hello/hello")
        }
        if input != nil && inputFile != nil { throw ValidationError("give --input or --input-file, not both") }
    }

    func run() async throws {
        let bytes: [UInt8]
        if let input {
            bytes = Array(input.utf8)
        } else if let inputFile {
            guard let data = FileManager.default.contents(atPath: inputFile) else { throw CLIError("cannot read \(inputFile)") }
            bytes = [UInt8](data)
        } else {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        let parts = target.split(separator: "/")
        let reply = try await options.client().send(.POST, "/_stratus/apps/\(parts[0])/functions/\(parts[1])/invoke",
                                                    body: bytes, contentType: "application/octet-stream")
        if reply.status >= 400, reply.headers.first(name: "Content-Type") == "application/json",
           case let error = AdminClient.error(from: reply), !error.description.hasPrefix("the server answered") {
            throw error
        }
        FileHandle.standardOutput.write(Data(reply.body))
        if reply.status >= 400 { throw CLIError("the function answered HTTP \(reply.status)") }
    }
}

private func printFunctions(_ app: AppSummary) {
    for function in app.functions {
        let routes = function.routes.isEmpty ? "" : "  " + function.routes.joined(separator: ", ")
        print("  \(function.name)  \(function.module) [\(function.entry)] on \(function.engine)\(routes)")
    }
    for sequence in app.sequences {
        let routes = sequence.routes.isEmpty ? "" : "  " + sequence.routes.joined(separator: ", ")
        print("  \(sequence.name)  sequence: \(runs(of: sequence.steps))\(routes)")
    }
    for plan in app.plans {
        let routes = plan.routes.isEmpty ? "" : "  " + plan.routes.joined(separator: ", ")
        let parallelism = plan.parallelism.map { ", parallelism \($0)" } ?? ""
        print("  \(plan.name)  plan: split \(plan.split), map \(plan.map), reduce \(plan.reduce)\(parallelism)\(routes)")
    }
}

/// Steps with repeats folded: `a -> b x100 -> c`.
private func runs(of steps: [String]) -> String {
    var runs: [(String, Int)] = []
    for step in steps {
        if runs.last?.0 == step { runs[runs.count - 1].1 += 1 } else { runs.append((step, 1)) }
    }
    return runs.map { $0.1 == 1 ? $0.0 : "\($0.0) x\($0.1)" }.joined(separator: " -> ")
}

enum AdminJSONDecoding {
    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw CLIError("the server's answer was not what this client expects (\(error)); are client and server the same version?")
        }
    }
}
