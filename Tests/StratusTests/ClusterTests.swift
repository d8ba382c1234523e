import Foundation
import Testing

/// Several `stratus serve` processes on loopback sharing one PostgreSQL database form one
/// platform: deploys propagate, cron ticks run once, a killed node's work moves on, and a
/// PostgreSQL restart is reported and survived.
@Suite(.serialized) struct ClusterTests {
    /// An app folder of WAT guests: `files` beside its manifest.
    static func appFolder(_ dir: TemporaryDirectory, _ name: String, manifest: String, files: [String: String]) throws -> String {
        let folder = dir.file(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try manifest.write(toFile: folder + "/stratus.yaml", atomically: true, encoding: .utf8)
        for (path, text) in files { try text.write(toFile: folder + "/" + path, atomically: true, encoding: .utf8) }
        return folder
    }

    /// Answers `text` at GET /greet.
    static func greeter(_ dir: TemporaryDirectory, _ text: String) throws -> String {
        try appFolder(dir, "greet-\(text)", manifest: """
            app: greet
            functions:
              greet:
                module: greet.wat
                http: [GET /greet]
            """, files: ["greet.wat": WATGuest.stratusGuest(data: [(0x100, text)], """
                (drop (call $out_write (i32.const 0x100) (i32.const \(text.utf8.count))))
            """)])
    }

    @Test func aDeployOnOneNodeServesOnEveryNodeAndNodesListsThem() async throws {
        // These nodes read their store, addresses and tags from a cluster file.
        try await TestCluster.with(tags: [["edge"], ["edge", "big"], []], clusterFile: true) { cluster in
            let dir = try TemporaryDirectory()
            for (version, deployer) in [("one", 0), ("two", 2)] {
                _ = try cluster.must(deployer, ["deploy", try Self.greeter(dir, version)])
                let started = ContinuousClock.now
                for node in cluster.nodes {
                    _ = try await TestCluster.poll("version \(version) serving on \(node.url)") { () -> Bool? in
                        try await TestServer.request(.GET, node.url + "/greet").text == version ? true : nil
                    }
                }
                print("deploy of version \(version) on n\(deployer) served on all 3 nodes after \(ContinuousClock.now - started)")
            }

            let listed = try cluster.cli(1, ["nodes"])
            #expect(listed.status == 0, "\(listed.stderr)")
            let rows = listed.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(rows.map { $0.first ?? "" } == ["NODE", "n0", "n1", "n2", "*"], "\(listed.stdout)")
            #expect(rows[1].contains("edge") && rows[2].contains("edge,big") && rows[3].contains("-"), "\(listed.stdout)")
            #expect(rows[2].contains("*"), "the node that answered is marked")

            // A delete anywhere stops the route everywhere.
            _ = try cluster.must(1, ["delete", "greet"])
            for node in cluster.nodes {
                _ = try await TestCluster.poll("the route gone from \(node.url)") { () -> Bool? in
                    try await TestServer.request(.GET, node.url + "/greet").status == 404 ? true : nil
                }
            }
        }
    }

    @Test func aClusterFileWithoutTheNodeOrWithABadAddressIsRefused() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("cluster.yaml")
        try "store: postgres://stratus@127.0.0.1:1/x\nnodes:\n  a: {address: http://127.0.0.1:8081}\n  b: {address: http://127.0.0.1:8082}\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let missing = try StratusProcess.run(["serve", "--cluster", file, "--node", "c", "--data", dir.file("d")])
        #expect(missing.status != 0 && missing.stderr.contains("has no node `c`; it lists a, b"), "\(missing.stderr)")
        let unnamed = try StratusProcess.run(["serve", "--cluster", file, "--data", dir.file("d")])
        #expect(unnamed.status != 0 && unnamed.stderr.contains("--cluster needs --node NAME"), "\(unnamed.stderr)")
        try "store: postgres://x@y/z\nnodes:\n  a: {address: 10.0.0.1}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try StratusProcess.run(["serve", "--cluster", file, "--node", "a", "--data", dir.file("d")])
        #expect(bad.status != 0 && bad.stderr.contains("node a has address `10.0.0.1`; write http://HOST:PORT"), "\(bad.stderr)")
    }

    @Test func eachCronTickRunsOnceAcrossTheNodes() async throws {
        try await TestCluster.with(tags: [[], [], []]) { cluster in
            let dir = try TemporaryDirectory()
            // Each tick adds one to a key named after its scheduled time: a tick run twice shows as 2.
            let folder = try Self.appFolder(dir, "ticks", manifest: """
                app: ticks
                functions:
                  tick:
                    module: tick.wat
                    on:
                      - cron: "* * * * * *"
                    kv:
                      "tick/*": [set]
                """, files: ["tick.wat": WATGuest.stratusGuest(data: [(0x100, "scheduled"), (0x200, "tick/")], locals: "(local $n i32)", """
                    (local.set $n (call $buf_read (call $ctx (i32.const 0x100) (i32.const 9)) (i32.const 0) (i32.const 0x205) (i32.const 64)))
                    (if (call $kv_incr (i32.const 0x200) (i32.add (i32.const 5) (local.get $n)) (i64.const 1) (i32.const 0x300))
                      (then unreachable))
                """)])
            _ = try cluster.must(0, ["deploy", folder])
            try await Task.sleep(for: .seconds(5))
            let listed = try cluster.cli(2, ["kv", "list", "ticks", "tick/"])
            let lines = listed.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count >= 3, "about one tick a second ran: \(listed.stdout) \(listed.stderr)")
            for line in lines {
                #expect(line.hasSuffix("1") && !line.hasSuffix("11"), "each tick ran once: \(line)")
            }
            let logs = try cluster.nodes.indices.map { try cluster.cli($0, ["logs", "ticks"]).stdout }
            print("cron ticks per node: \(logs.map { $0.components(separatedBy: "ticks/tick").count - 1 })")
        }
    }

    @Test func theWordCountIsExactWhenANodeIsKilledMidway() async throws {
        try await TestCluster.with(tags: [[], [], []]) { cluster in
            let sample = try Repository.sample("wordcount", module: "count.wasm")
            _ = try cluster.must(0, ["deploy", sample])
            let (text, words) = CrashRecoveryTests.corpus(bytes: 4 << 20)
            for node in cluster.nodes {
                _ = try await TestCluster.poll("the word count serving on \(node.url)") { () -> Bool? in
                    try await TestServer.request(.GET, node.url + "/wordcount").status == 200 ? true : nil
                }
            }
            let posted = try await TestServer.request(.POST, cluster.nodes[1].url + "/wordcount", body: text)
            #expect(posted.status == 200, "\(posted.text)")
            // Once counting has begun, n2 dies holding whatever it had claimed.
            _ = try await TestCluster.poll("counting under way") { () -> Bool? in
                let total = try JSONDecoder().decode(CrashRecoveryTests.Total.self,
                                                     from: Data(try await TestServer.request(.GET, cluster.nodes[0].url + "/wordcount").body))
                return total.counted > 0 ? true : nil
            }
            cluster.nodes[2].crash()
            let total = try await TestCluster.poll("the word count finishing", seconds: 180) { () -> CrashRecoveryTests.Total? in
                let total = try JSONDecoder().decode(CrashRecoveryTests.Total.self,
                                                     from: Data(try await TestServer.request(.GET, cluster.nodes[0].url + "/wordcount").body))
                return total.done ? total : nil
            }
            #expect(total.total == words)
            #expect(total.counted == total.slices)
            let nodes = try cluster.cli(0, ["nodes"]).stdout
            _ = try await TestCluster.poll("n2 dropping out of the live nodes") { () -> Bool? in
                try cluster.cli(0, ["nodes"]).stdout.contains("n2") ? nil : true
            }
            print("nodes after the kill:\n\(nodes)")
        }
    }

    @Test func aPostgreSQLRestartIsReportedAndSurvived() async throws {
        let postgres = try PrivatePostgres()
        let dir = try TemporaryDirectory()
        let cluster = try TestCluster(storeURL: postgres.url, tags: [[], []])
        defer { cluster.stop() }
        let folder = try Self.appFolder(dir, "hits", manifest: """
            app: hits
            functions:
              hit:
                module: hit.wat
                http: [POST /hit]
                kv:
                  "hits": [set]
              hello:
                module: hello.wat
                http: [GET /hello]
            """, files: [
                "hit.wat": WATGuest.stratusGuest(data: [(0x100, "hits")], """
                    (if (call $kv_incr (i32.const 0x100) (i32.const 4) (i64.const 1) (i32.const 0x200)) (then unreachable))
                """),
                "hello.wat": WATGuest.stratusGuest(data: [(0x100, "hi")], "(drop (call $out_write (i32.const 0x100) (i32.const 2)))"),
            ])
        _ = try cluster.must(0, ["deploy", folder])
        _ = try await TestCluster.poll("the app serving on n1") { () -> Bool? in
            try await TestServer.request(.POST, cluster.nodes[1].url + "/hit").status == 200 ? true : nil
        }
        var acknowledged = 1

        try postgres.stop()
        // Requests that need the store hear why they fail; the rest are served.
        let refused = try await TestServer.request(.POST, cluster.nodes[0].url + "/hit")
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.text.contains(#""code":"store_unavailable""#), "\(refused.text)")
        #expect(try await TestServer.request(.GET, cluster.nodes[1].url + "/hello").text == "hi")
        let admin = try cluster.cli(1, ["kv", "get", "hits", "hits"])
        #expect(admin.status != 0 && admin.stderr.contains("store_unavailable"), "\(admin.stderr)")
        try await Task.sleep(for: .seconds(2))

        try postgres.start()
        for node in cluster.nodes {
            _ = try await TestCluster.poll("\(node.url) writing again") { () -> Bool? in
                try await TestServer.request(.POST, node.url + "/hit").status == 200 ? true : nil
            }
            acknowledged += 1
        }
        let stored = try cluster.cli(1, ["kv", "get", "hits", "hits"])
        let hits = Int(stored.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        // Every acknowledged increment is there; a refused one may have committed before its answer was lost.
        #expect(hits >= acknowledged, "\(stored.stdout) \(stored.stderr)")
        _ = try await TestCluster.poll("both nodes beating again") { () -> Bool? in
            let listed = try cluster.cli(0, ["nodes"]).stdout
            return listed.contains("n0") && listed.contains("n1") ? true : nil
        }
    }
}
