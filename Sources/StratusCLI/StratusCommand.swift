import ArgumentParser

/// `stratus`: the server and its client commands.
public struct StratusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stratus",
        abstract: "A stateful serverless platform for WebAssembly.",
        discussion: """
            Run `stratus serve` to start the platform, then `stratus deploy DIR` to deploy an app
            folder (a stratus.yaml and its modules). Client commands find the server at --server
            or STRATUS_SERVER (default http://127.0.0.1:8080) and send the admin token from
            --token or STRATUS_TOKEN (else ./stratus-data/admin-token, if it exists).
            """,
        subcommands: [ServeCommand.self, DeployCommand.self, AppsCommand.self, DeleteCommand.self, CallCommand.self, KVCommand.self, LogsCommand.self, DeadLettersCommand.self,
                      BackupCommand.self, RestoreCommand.self, ExportCommand.self, ImportCommand.self, NodesCommand.self,
                      NewCommand.self, BuildCommand.self])

    public init() {}
}

extension StratusCommand {
    /// Parses the process's arguments and runs the chosen command, printing any error as one
    /// line and exiting non-zero.
    public static func runMain(_ arguments: [String]? = nil) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
