import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Cluster figures: nodes are `stratus serve` processes (the release build) on loopback sharing
/// one PostgreSQL database. Event throughput and word count with one node and with three, and
/// deploy propagation. On two cores three nodes measure the cluster's overhead, not its scale.
enum ClusterBench {
    static let token = "bench"

    static func run(selected: (String) -> Bool) async throws {
        guard selected("cluster") else { return }
        guard let server = ProcessInfo.processInfo.environment["STRATUS_BENCH_POSTGRES"] else {
            print("cluster: skipped; set STRATUS_BENCH_POSTGRES to a PostgreSQL URL (scripts/bench.sh does, with scripts/postgres.sh)")
            return
        }
        let folder = NSTemporaryDirectory() + "stratus-cluster-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeApps(folder)
        let text = SampleBench.words(bytes: 8 << 20)
        for count in [1, 3] {
            let database = "stratus_bench_\(count)_\(UInt32.random(in: 0...UInt32.max))"
            try await admin(server, "CREATE DATABASE \(database)")
            var url = URLComponents(string: server)!
            url.path = "/" + database
            let nodes = try (0..<count).map { try Node(index: $0, store: url.string!, folder: folder) }
            defer { nodes.forEach { $0.stop() } }
            for node in nodes { try await node.waitUntilUp() }
            try nodes[0].cli(["deploy", folder + "/events"])
            try nodes[0].cli(["deploy", "samples/wordcount"])
            for node in nodes { try await waitFor { try await get(node.url + "/wordcount").status == 200 } }

            let events = 2_000
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        for index in stride(from: lane, to: events, by: 16) {
                            let node = nodes[index % nodes.count]
                            let reply = try await post(node.url + "/_stratus/apps/events/functions/work/spawn", body: [], admin: true)
                            guard reply.status == 202 else { throw BenchFailure("spawn answered \(reply.status)") }
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await waitFor(seconds: 300) {
                try await get(nodes[0].url + "/_stratus/apps/events/kv/done", admin: true).text == String(events)
            }
            let seconds = (ContinuousClock.now - started).seconds
            print(String(format: "cluster, %d node(s): %d async events in %.2f s = %.0f events/s", count, events, seconds, Double(events) / seconds))

            for round in 1...2 {
                let begun = ContinuousClock.now
                let posted = try await post(nodes[round % nodes.count].url + "/wordcount", body: text)
                guard posted.status == 200 else { throw BenchFailure("the word count answered \(posted.status)") }
                try await waitFor(seconds: 600) { try await get(nodes[0].url + "/wordcount").text.contains(#""done": true"#) }
                let elapsed = (ContinuousClock.now - begun).seconds
                print(String(format: "cluster, %d node(s): word count of 8 MiB (round %d) %.2f MB/s", count, round, 8 / elapsed))
            }

            if count > 1 {
                var samples: [Double] = []
                for round in 0..<10 {
                    let version = "v\(round)"
                    try writeGreeter(folder, version)
                    try nodes[0].cli(["deploy", folder + "/greet"])
                    let committed = ContinuousClock.now
                    for node in nodes.dropFirst() { try await waitFor { try await get(node.url + "/greet").text == version } }
                    samples.append((ContinuousClock.now - committed).seconds * 1000)
                }
                report("cluster, \(count) nodes: deploy on one, served on all", samples, unit: "ms")

                // The same function answering on the node a request reaches, and forwarded to n2 by affinity.
                try nodes[0].cli(["deploy", folder + "/hop"])
                try await waitFor { try await get(nodes[0].url + "/hop/there").text == "hi" }
                var local: [Double] = [], forwarded: [Double] = []
                for _ in 0..<1000 {
                    for (path, into) in [("/hop/here", 0), ("/hop/there", 1)] {
                        let begun = ContinuousClock.now
                        guard try await get(nodes[0].url + path).status == 200 else { throw BenchFailure("\(path) failed") }
                        let ms = (ContinuousClock.now - begun).seconds * 1000
                        if into == 0 { local.append(ms) } else { forwarded.append(ms) }
                    }
                }
                report("cluster, \(count) nodes: request run where it arrives", local, unit: "ms")
                report("cluster, \(count) nodes: request forwarded by affinity", forwarded, unit: "ms")
                print(String(format: "cluster, %d nodes: forwarded / local p50 = %.2f", count, percentile(forwarded.sorted(), 0.5) / percentile(local.sorted(), 0.5)))
            }
            nodes.forEach { $0.stop() }
            try await admin(server, "DROP DATABASE \(database) WITH (FORCE)")
        }
    }

    /// `events`: a function that counts its runs; `hop`: `here` runs on any node, `there` only
    /// on n2 (affinity by node name); `greet` is written per round.
    static func writeApps(_ folder: String) throws {
        try writeApp(folder + "/events", manifest: """
            app: events
            functions:
              work:
                module: work.wat
                kv:
                  "done": [set]
            """, module: "work.wat", wat: """
            (module
              (import "stratus" "kv_incr" (func $kv_incr (param i32 i32 i64 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "done")
              (func (export "handle") (if (call $kv_incr (i32.const 0) (i32.const 4) (i64.const 1) (i32.const 64)) (then unreachable))))
            """)
        try writeApp(folder + "/hop", manifest: """
            app: hop
            functions:
              here:
                module: hi.wat
                http: [GET /hop/here]
              there:
                module: hi.wat
                http: [GET /hop/there]
                affinity: [n2]
            """, module: "hi.wat", wat: answering("hi"))
    }

    static func writeGreeter(_ folder: String, _ text: String) throws {
        try writeApp(folder + "/greet", manifest: "app: greet\nfunctions:\n  greet:\n    module: greet.wat\n    http: [GET /greet]\n",
                     module: "greet.wat", wat: answering(text))
    }

    /// A guest that answers `text`.
    static func answering(_ text: String) -> String {
        """
        (module
          (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\(text)")
          (func (export "handle") (drop (call $out_write (i32.const 0) (i32.const \(text.utf8.count))))))
        """
    }

    static func writeApp(_ app: String, manifest: String, module: String, wat: String) throws {
        try FileManager.default.createDirectory(atPath: app, withIntermediateDirectories: true)
        try manifest.write(toFile: app + "/stratus.yaml", atomically: true, encoding: .utf8)
        try wat.write(toFile: app + "/" + module, atomically: true, encoding: .utf8)
    }

    /// One `stratus serve --store postgres://...` process.
    final class Node: Sendable {
        let process: Process
        let url: String

        init(index: Int, store: String, folder: String) throws {
            let port = 18300 + index
            url = "http://127.0.0.1:\(port)"
            process = Process()
            process.executableURL = URL(fileURLWithPath: ".build/release/stratus")
            process.arguments = ["serve", "--store", store, "--node", "n\(index)", "--port", String(port), "--data", folder + "/n\(index)"]
            process.environment = ProcessInfo.processInfo.environment.merging(["STRATUS_TOKEN": ClusterBench.token]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func waitUntilUp() async throws {
            try await waitFor { try await get(url + "/_stratus/health").status == 200 }
        }

        func cli(_ arguments: [String]) throws {
            let client = Process()
            client.executableURL = URL(fileURLWithPath: ".build/release/stratus")
            client.arguments = arguments + ["--server", url, "--token", ClusterBench.token]
            client.standardOutput = FileHandle.nullDevice
            try client.run()
            client.waitUntilExit()
            guard client.terminationStatus == 0 else { throw BenchFailure("stratus \(arguments.joined(separator: " ")) failed") }
        }

        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct Reply {
        let status: UInt
        let text: String
    }

    static func get(_ url: String, admin: Bool = false) async throws -> Reply {
        try await send(HTTPClientRequest(url: url), admin: admin)
    }

    static func post(_ url: String, body: [UInt8], admin: Bool = false) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await send(request, admin: admin)
    }

    static func send(_ request: HTTPClientRequest, admin: Bool) async throws -> Reply {
        var request = request
        if admin { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: response.status.code, text: String(buffer: body))
    }

    /// Polls `condition` every 2 ms (errors count as not yet).
    static func waitFor(seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw BenchFailure("a wait in the cluster benchmark ran past \(seconds) s")
    }

    static func admin(_ url: String, _ sql: String) async throws {
        let components = URLComponents(string: url)!
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "stratus",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: Logger(label: "bench"))
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "bench"))
        try await connection.close()
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
