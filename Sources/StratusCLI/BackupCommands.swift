import ArgumentParser
import Foundation
import StratusBackup

/// `stratus backup FILE`: a running server's whole state as a `.tar.gz`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Save a consistent snapshot of a running server (apps, modules, keys, schedules, pending events) as a .tar.gz.",
        discussion: "The server keeps serving while the snapshot is taken. The file is checked after download; restore it with `stratus restore`.")

    @Argument(help: "The archive to write, such as backup.tar.gz.") var file: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.client().download("/_stratus/backup", to: file, progress: ProgressLine("downloading"))
        let counts = try Backup.verify(file)
        print("wrote \(file) (\(ProgressLine.size(Self.size(of: file)))): \(counts.summary)")
    }

    static func size(of file: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
    }
}

/// `stratus restore FILE`: a server started on an empty data folder takes a backup's state.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring a server with an empty store back to the state a backup holds.",
        discussion: "The archive is checked here and again on the server before anything is written; a corrupt or truncated archive is refused and the server is left as it was.")

    @Argument(help: "The archive `stratus backup` or `stratus export` wrote.") var file: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        // Checked here first: a bad archive is refused before it is uploaded.
        try Backup.verify(file)
        let reply = try await options.client().upload("/_stratus/restore", file: file, progress: ProgressLine("uploading"))
        struct Restored: Decodable { var restored: BackupCounts }
        let restored = try JSONDecoder().decode(Restored.self, from: Data(reply.body)).restored
        print("restored \(restored.summary)")
    }
}

/// Where `export` and `import` find a store directly, with no server running.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The data folder (STRATUS_DATA; default ./stratus-data).") var data: String?
    @Option(name: .long, help: "The store: a postgres:// URL or a SQLite file path (STRATUS_STORE; default DIR/stratus.sqlite).") var store: String?

    func location(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> (url: String?, data: String) {
        (store ?? environment["STRATUS_STORE"], data ?? environment["STRATUS_DATA"] ?? "./stratus-data")
    }
}

/// `stratus export FILE`: a store's state as a backup archive, read from the store directly.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a store's whole state to a .tar.gz, reading the store directly (the server may be running or not).")

    @Argument(help: "The archive to write.") var file: String
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let (url, data) = storeOptions.location()
        let store = try await StoreLocation.open(url: url, dataDirectory: data)
        let progress = ProgressLine("exporting")
        let counts = try Backup.write(from: store, to: file) { progress.update(bytes: $0.bytes, items: $0.items) }
        progress.finish()
        print("wrote \(file) (\(ProgressLine.size(BackupCommand.size(of: file)))): \(counts.summary)")
    }
}

/// `stratus import FILE`: an archive's state into an empty store, with the server stopped.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write an archive's state into an empty store directly; start the server on it afterwards.",
        discussion: "Use it to move state between stores or machines without a running server. The store must be empty, and the archive is checked in full before anything is written.")

    @Argument(help: "The archive `stratus backup` or `stratus export` wrote.") var file: String
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let (url, data) = storeOptions.location()
        let store = try await StoreLocation.open(url: url, dataDirectory: data)
        let progress = ProgressLine("importing")
        let counts = try Backup.restore(file, into: store) { progress.update(bytes: $0.bytes, items: $0.items) }
        progress.finish()
        print("imported \(counts.summary)")
    }
}
