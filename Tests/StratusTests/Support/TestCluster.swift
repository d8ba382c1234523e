import Foundation
import Testing

/// Nodes of one cluster: `stratus serve` processes on loopback ports sharing one PostgreSQL
/// database, each with a data folder of its own and the same admin token.
final class TestCluster: @unchecked Sendable {
    static let token = "cluster-token"
    let storeURL: String
    let dir: TemporaryDirectory
    private(set) var nodes: [StratusProcess.Server] = []

    /// Starts `tags.count` nodes named n0, n1, ... with those tags, given as flags or, with
    /// `clusterFile`, in a cluster file that each node reads its entry from.
    init(storeURL: String, tags: [[String]], clusterFile: Bool = false) throws {
        self.storeURL = storeURL
        dir = try TemporaryDirectory()
        guard clusterFile else {
            for index in tags.indices {
                var extra = ["--store", storeURL, "--node", "n\(index)", "--workers", "2"]
                if !tags[index].isEmpty { extra += ["--tags", tags[index].joined(separator: ",")] }
                nodes.append(try StratusProcess.Server(data: dir.file("n\(index)"), extra: extra, environment: ["STRATUS_TOKEN": Self.token]))
            }
            return
        }
        let ports = try tags.map { _ in try StratusProcess.freePort() }
        let file = dir.file("cluster.yaml")
        try (["store: \(storeURL)", "nodes:"] + tags.indices.map { index in
            "  n\(index): {address: http://127.0.0.1:\(ports[index]), tags: [\(tags[index].joined(separator: ", "))]}"
        }).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        for index in tags.indices {
            nodes.append(try StratusProcess.Server(data: dir.file("n\(index)"), port: ports[index],
                                                   extra: ["--cluster", file, "--node", "n\(index)", "--workers", "2"],
                                                   environment: ["STRATUS_TOKEN": Self.token]))
        }
    }

    /// Runs `body` on a cluster of `tags.count` nodes over a fresh database, then stops them and drops it.
    static func with(tags: [[String]], clusterFile: Bool = false, _ body: (TestCluster) async throws -> Void) async throws {
        let database = try await StoreKind.freshDatabase()
        do {
            let cluster = try TestCluster(storeURL: database.url, tags: tags, clusterFile: clusterFile)
            defer { cluster.stop() }
            try await body(cluster)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    func stop() {
        for node in nodes { node.stop() }
    }

    /// A client command against node `index`.
    func cli(_ index: Int, _ arguments: [String]) throws -> StratusProcess.Result {
        try StratusProcess.run(arguments + ["--server", nodes[index].url, "--token", Self.token])
    }

    /// A client command that must succeed: its standard output.
    func must(_ index: Int, _ arguments: [String]) throws -> String {
        let result = try cli(index, arguments)
        guard result.status == 0 else { throw TestFailure("stratus \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout
    }

    /// Calls `probe` every 20 ms until it returns a value, failing after `seconds` (a hang guard).
    static func poll<T>(_ what: String, seconds: Double = 60, _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = try? await probe() { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("\(what) did not happen in \(seconds) s")
    }
}

/// A PostgreSQL server of a test's own (initdb in a temporary folder, a free port), so the test
/// can stop and start it without disturbing the shared one.
final class PrivatePostgres: @unchecked Sendable {
    let port: Int
    let url: String
    private let folder: String
    private let bin: String

    init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last else {
            throw TestFailure("PostgreSQL is not installed; scripts/postgres.sh installs it")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        port = try StratusProcess.freePort()
        folder = "/tmp/stratus-pg-\(UUID().uuidString.prefix(8))"
        url = "postgres://stratus@127.0.0.1:\(port)/postgres"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.shell("chown postgres \(folder)", output: "\(folder)/chown.out") }
        try run("\(bin)/initdb -D \(folder)/data -A trust -U stratus --no-sync")
        try start()
    }

    func start() throws {
        try run("\(bin)/pg_ctl -D \(folder)/data -l \(folder)/log -w -o '-p \(port) -k \(folder) -c listen_addresses=127.0.0.1' start")
    }

    func stop() throws {
        try run("\(bin)/pg_ctl -D \(folder)/data -m fast -w stop")
    }

    deinit {
        try? stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// As the `postgres` user when the tests run as root (PostgreSQL refuses to run as root).
    private func run(_ command: String) throws {
        try Self.shell(getuid() == 0 ? "runuser -u postgres -- sh -c \(Self.quoted(command))" : command, output: "\(folder)/command.out")
    }

    private static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs `command` with its output in a file, not a pipe a server started by it could hold.
    private static func shell(_ command: String, output: String) throws {
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // Descriptors past 2 closed first: Foundation sees the end of a child through one, and
        // the server would inherit it and keep it open.
        process.arguments = ["-c", #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; "# + command]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("`\(command)` failed: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        }
    }
}
