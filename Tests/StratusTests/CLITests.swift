import Foundation
import Testing

/// The `stratus` executable end to end: `serve` in one process, client commands in others.
@Suite(.serialized) struct CLITests {
    @Test func deployCallListAndDeleteTheSamples() throws {
        let dir = try TemporaryDirectory()
        let server = try StratusProcess.Server(data: dir.path, environment: ["STRATUS_TOKEN": "cli-token"])
        defer { server.stop() }
        let env = ["STRATUS_SERVER": server.url, "STRATUS_TOKEN": "cli-token"]

        let deployHello = try StratusProcess.run(["deploy", try Repository.sample("hello", module: "hello.wasm")], environment: env)
        #expect(deployHello.status == 0, "\(deployHello.stderr)")
        #expect(deployHello.stdout.contains("deployed hello version 1"))
        #expect(deployHello.stdout.contains("GET /hello/:name"))
        let upper = try Repository.sample("uppercase", module: "uppercase.wasm")
        // A manifest path works as well as its folder.
        #expect(try StratusProcess.run(["deploy", upper + "/stratus.yaml"], environment: env).status == 0)

        let call = try StratusProcess.run(["call", "hello/hello", "--input", "CLI"], environment: env)
        #expect(call.status == 0, "\(call.stderr)")
        #expect(call.stdout == "Hello, CLI")
        let piped = try StratusProcess.run(["call", "uppercase/uppercase"], environment: env, stdin: "from stdin")
        #expect(piped.stdout == "FROM STDIN")
        let inputFile = dir.file("input.txt")
        try "from a file".write(toFile: inputFile, atomically: true, encoding: .utf8)
        let fromFile = try StratusProcess.run(["call", "uppercase/uppercase", "--input-file", inputFile], environment: env)
        #expect(fromFile.stdout == "FROM A FILE")

        let apps = try StratusProcess.run(["apps"], environment: env)
        #expect(apps.stdout.contains("hello (version 1"))
        #expect(apps.stdout.contains("uppercase (version 1"))

        #expect(try StratusProcess.run(["kv", "set", "hello", "notes/1", "first note"], environment: env).status == 0)
        #expect(try StratusProcess.run(["kv", "set", "hello", "notes/2"], environment: env, stdin: "from stdin").status == 0)
        #expect(try StratusProcess.run(["kv", "get", "hello", "notes/1"], environment: env).stdout == "first note")
        #expect(try StratusProcess.run(["kv", "list", "hello", "notes/"], environment: env).stdout == "notes/1\tfirst note\nnotes/2\tfrom stdin\n")
        #expect(try StratusProcess.run(["kv", "delete", "hello", "notes/1"], environment: env).status == 0)
        let missingKey = try StratusProcess.run(["kv", "get", "hello", "notes/1"], environment: env)
        #expect(missingKey.status != 0)
        #expect(missingKey.stderr.contains("no key `notes/1`"))

        #expect(try StratusProcess.run(["delete", "hello"], environment: env).status == 0)
        let after = try StratusProcess.run(["apps"], environment: env)
        #expect(!after.stdout.contains("hello (version"))
    }

    @Test func errorsAreOneClearLineAndANonZeroExit() throws {
        let dir = try TemporaryDirectory()
        let server = try StratusProcess.Server(data: dir.path, environment: ["STRATUS_TOKEN": "cli-token"])
        defer { server.stop() }
        let env = ["STRATUS_SERVER": server.url, "STRATUS_TOKEN": "cli-token"]

        let unknown = try StratusProcess.run(["call", "nope/nothing", "--input", ""], environment: env)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no app named `nope`"))
        #expect(unknown.stderr.split(separator: "\n").count == 1)

        let badToken = try StratusProcess.run(["apps", "--token", "wrong"], environment: ["STRATUS_SERVER": server.url])
        #expect(badToken.status != 0)
        #expect(badToken.stderr.contains("admin token"))

        let noServer = try StratusProcess.run(["apps", "--server", "http://127.0.0.1:\(try StratusProcess.freePort())"], environment: env)
        #expect(noServer.status != 0)
        #expect(noServer.stderr.contains("cannot reach the server"))

        let badFolder = dir.file("bad")
        try FileManager.default.createDirectory(atPath: badFolder, withIntermediateDirectories: true)
        try "app: bad\nfunctions:\n  f:\n    module: f.wasm\n    oops: 1\n".write(toFile: badFolder + "/stratus.yaml", atomically: true, encoding: .utf8)
        let invalid = try StratusProcess.run(["deploy", badFolder], environment: env)
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("stratus.yaml"))
        #expect(invalid.stderr.contains("`oops`"))

        let missingModule = dir.file("nomodule")
        try FileManager.default.createDirectory(atPath: missingModule, withIntermediateDirectories: true)
        try "app: nomodule\nfunctions:\n  f:\n    module: f.wasm\n".write(toFile: missingModule + "/stratus.yaml", atomically: true, encoding: .utf8)
        let missing = try StratusProcess.run(["deploy", missingModule], environment: env)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("f.wasm"))
    }

    @Test func serveWritesAnAdminTokenAndRestartsOnPreviousState() throws {
        let dir = try TemporaryDirectory()
        do {
            let server = try StratusProcess.Server(data: dir.path, extra: ["--deploy", try Repository.sample("hello", module: "hello.wasm")])
            defer { server.stop() }
            let tokenFile = dir.file("admin-token")
            let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.count >= 32)
            let apps = try StratusProcess.run(["apps", "--server", server.url, "--token", token])
            #expect(apps.stdout.contains("hello (version 1"))
        }
        // A second start on the same folder keeps the token and the app.
        let server = try StratusProcess.Server(data: dir.path)
        defer { server.stop() }
        let token = try String(contentsOfFile: dir.file("admin-token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let call = try StratusProcess.run(["call", "hello/hello", "--input", "again", "--server", server.url, "--token", token])
        #expect(call.stdout == "Hello, again")
    }

    @Test func sequencesAndPlansAreCalledAndListedLikeFunctions() async throws {
        let dir = try TemporaryDirectory()
        let server = try StratusProcess.Server(data: dir.path, environment: ["STRATUS_TOKEN": "cli-token"])
        defer { server.stop() }
        let env = ["STRATUS_SERVER": server.url, "STRATUS_TOKEN": "cli-token"]
        #expect(try StratusProcess.run(["deploy", try Repository.sample("longchain", module: "chain.wasm")], environment: env).status == 0)
        #expect(try StratusProcess.run(["deploy", try Repository.sample("wordcount", module: "mapwords.wasm")], environment: env).status == 0)

        #expect(try StratusProcess.run(["call", "longchain/chain-sequence", "--input", "1"], environment: env).stdout == "101")
        #expect(try StratusProcess.run(["call", "longchain/chain"], environment: env, stdin: "").stdout == "100")
        let plan = try StratusProcess.run(["call", "wordcount/wordfreq"], environment: env, stdin: "b a\nb\n")
        #expect(plan.stdout == "a\t1\nb\t2\n")
        // Over HTTP, by the routes of the manifest.
        let sequence = try await TestServer.request(.POST, server.url + "/longchain/sequence", body: Array("5".utf8))
        #expect(sequence.status == 200)
        #expect(sequence.text == "105")

        let apps = try StratusProcess.run(["apps"], environment: env)
        #expect(apps.stdout.contains("chain-sequence  sequence: increment x100  POST /longchain/sequence"))
        #expect(apps.stdout.contains("wordfreq  plan: split bytes 262144, map mapwords, reduce reducewords, parallelism 2  POST /wordcount/frequencies"))
    }
}
