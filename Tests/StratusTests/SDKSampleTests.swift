import Foundation
import NIOHTTP1
import StratusModel
import Testing

/// The SDK samples, built from source by the project's scripts, deployed on a real server and
/// driven over HTTP and `stratus call`: KV, calls, spawns and outbound HTTP from C and Rust.
@Suite struct SDKSampleTests {
    static let token = "sdk-token"

    /// A server running on `engine`, deploying a copy of sample `name` whose `outbound:` is the server itself.
    static func serve(_ name: String, module: String, dir: TemporaryDirectory, engine: EngineChoice) throws -> StratusProcess.Server {
        let sample = try Repository.sample(name, module: module)
        let port = try StratusProcess.freePort()
        let copy = dir.file(name)
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: sample) where file.hasSuffix(".wasm") {
            try FileManager.default.copyItem(atPath: sample + "/" + file, toPath: copy + "/" + file)
        }
        let manifest = try String(contentsOfFile: sample + "/stratus.yaml", encoding: .utf8)
            .replacingOccurrences(of: "http://127.0.0.1:18999", with: "http://127.0.0.1:\(port)")
        try manifest.write(toFile: copy + "/stratus.yaml", atomically: true, encoding: .utf8)
        return try StratusProcess.Server(data: dir.file("data"), port: port, extra: ["--deploy", copy, "--engine", engine.rawValue], environment: ["STRATUS_TOKEN": token])
    }

    static func call(_ server: StratusProcess.Server, _ target: String, _ input: String) throws -> String {
        let result = try StratusProcess.run(["call", target, "--input", input, "--server", server.url, "--token", token])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    static func text(_ reply: TestServer.Reply, _ status: Int = 200) -> String {
        #expect(reply.status == status, "\(reply.status): \(reply.text)")
        return reply.text
    }

    @Test(arguments: TestEngines.both)
    func theCSampleUsesKVCallsSpawnsAndOutboundHTTP(_ engine: EngineChoice) async throws {
        let dir = try TemporaryDirectory()
        let server = try Self.serve("sdkc", module: "kv.wasm", dir: dir, engine: engine)
        defer { server.stop() }
        let url = server.url + "/sdkc"
        func send(_ method: HTTPMethod, _ path: String, _ body: String = "", status: Int = 200) async throws -> String {
            Self.text(try await TestServer.request(method, url + path, body: Array(body.utf8)), status)
        }
        #expect(try await send(.PUT, "/kv/a", "apple") == "stored demo/a\n")
        #expect(try await send(.PUT, "/kv/b", "banana") == "stored demo/b\n")
        #expect(try await send(.POST, "/incr/n", "5") == "5\n")
        #expect(try await send(.POST, "/incr/n") == "6\n")
        #expect(try await send(.GET, "/scan") == "demo/a=apple\ndemo/b=banana\ndemo/n=6\n")
        #expect(try await send(.POST, "/cas/a", "apple\napricot") == "swapped\n")
        #expect(try await send(.POST, "/cas/a", "apple\napricot", status: 409) == "error: CONFLICT\n")
        #expect(try await send(.POST, "/create/c", "cherry") == "created\n")
        #expect(try await send(.POST, "/create/c", "cherry", status: 409) == "error: CONFLICT\n")
        #expect(try await send(.DELETE, "/kv/a") == "deleted demo/a\n")
        #expect(try await send(.GET, "/kv/a", status: 404) == "error: NOT_FOUND\n")
        #expect(try await send(.GET, "/scan/c") == "demo/c=cherry\n")

        #expect(try await send(.POST, "/call", "Ada") == "status=200\nx-greeter=sdkc\nbody=Hello, Ada!\n")
        #expect(try await send(.POST, "/spawn", "X", status: 202) == "spawned\n")
        let spawned = try await TestCluster.poll("the spawn ran") { () -> String? in
            let reply = try await TestServer.request(.GET, url + "/spawned")
            return reply.status == 200 ? reply.text : nil
        }
        #expect(spawned == "async:X\n")

        let fetched = try await TestServer.request(.POST, url + "/fetch", body: Array((server.url + "/_stratus/health").utf8))
        #expect(fetched.status == 200 && fetched.text == #"{"status":"ok"}"# && fetched.headers["X-Fetched-Content-Type"].first == "application/json",
                "\(fetched.status) \(fetched.text)")
        #expect(try await send(.POST, "/fetch", "http://127.0.0.2:9/x", status: 403) == "error: DENIED\n")

        #expect(try Self.call(server, "sdkc/greet", "Bob") == "Hello, Bob!")
    }

    @Test(arguments: TestEngines.both)
    func theRustSampleUsesKVCallsSpawnsAndOutboundHTTP(_ engine: EngineChoice) async throws {
        let dir = try TemporaryDirectory()
        let server = try Self.serve("rusty", module: "rusty.wasm", dir: dir, engine: engine)
        defer { server.stop() }
        let url = server.url + "/rusty"
        let hello = try await TestServer.request(.GET, url + "/hello/Ada")
        #expect(Self.text(hello) == "Hello, Ada!\nmethod=GET path=/rusty/hello/Ada trigger=http function=hello greeting=howdy clock=ok\n")
        #expect(hello.headers["X-Sdk"].first == "stratus-rust")
        let kv = Self.text(try await TestServer.request(.POST, url + "/kv"))
        #expect(kv == """
            set demo/a: ok
            get demo/a: apple
            incr demo/n +5: 5
            incr demo/n -2: 3
            get demo/n: 3
            cas demo/b absent->banana: ok
            cas demo/b absent->banana: CONFLICT
            cas demo/b banana->blueberry: ok
            cas demo/b banana->cherry: CONFLICT
            scan demo/: demo/a=apple, demo/b=blueberry, demo/n=3
            delete demo/a: ok
            delete demo/a: NOT_FOUND
            get demo/a: NOT_FOUND
            scan demo/: demo/b=blueberry, demo/n=3
            get secret: DENIED

            """)
        #expect(Self.text(try await TestServer.request(.POST, url + "/call", body: Array("hello".utf8))) == "shout answered 201 (x-shouted: yes): HELLO!\n")
        #expect(Self.text(try await TestServer.request(.POST, url + "/spawn", body: Array("ping".utf8)), 202) == "spawned worker\n")
        let spawned = try await TestCluster.poll("the spawn ran") { () -> String? in
            let reply = try await TestServer.request(.GET, url + "/spawned")
            return reply.status == 200 ? reply.text : nil
        }
        #expect(spawned == "ping")
        let fetched = try await TestServer.request(.POST, url + "/fetch", body: Array((server.url + "/_stratus/health").utf8))
        #expect(Self.text(fetched) == "status: 200\n" + #"{"status":"ok"}"#)
        #expect(Self.text(try await TestServer.request(.POST, url + "/fetch", body: Array("http://127.0.0.2:9/x".utf8)), 403) == "error: DENIED\n")

        #expect(try Self.call(server, "rusty/shout", "quiet") == "QUIET!")
    }
}
