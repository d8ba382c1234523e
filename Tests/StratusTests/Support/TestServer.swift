import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import StratusEngine
import StratusModel
import StratusHTTP
import StratusRuntime
import StratusStore

/// A real Stratus HTTP server on a loopback port chosen by the system, for one test.
struct TestServer {
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let base: String
    let token: String
    let platform: Platform

    /// Runs `body` against a server over a fresh SQLite store in `dir`, then shuts it down.
    /// `engine` is the server's `--engine`.
    static func with<T: Sendable>(dir: TemporaryDirectory, token: String = "test-token", bodyLimit: Int = 1 << 20, events: Bool = false,
                                  webSocketsPerApp: Int = 1000, engine: EngineChoice = .auto,
                                  _ body: (TestServer) async throws -> T) async throws -> T {
        let metrics = MetricsExporter()
        if engine == .wasmtime { _ = try TestEngines.make(.wasmtime) }
        let platform = Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")),
                                engine: WasmEngine(instantiated: metrics.platformMetrics.instantiated, choice: engine), pool: WorkerPool(slots: 2),
                                metrics: metrics.platformMetrics, webSocketsPerApp: webSocketsPerApp)
        try await platform.start()
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = StratusServer.make(platform: platform, settings: HTTPSettings(adminToken: token, bodyLimit: bodyLimit),
                                        host: "127.0.0.1", port: 0, metrics: metrics, logger: logger, onRunning: { continuation.yield($0) })
        // With `events`, KV triggers and spawns run as on `stratus serve`.
        let delivery: [any Service] = events ? [EventDispatcher(platform: platform, logger: logger)] : []
        let group = ServiceGroup(configuration: .init(services: [server, platform.invocations] + delivery, logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(TestServer(base: "http://127.0.0.1:\(port)", token: token, platform: platform)))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        return try result.get()
    }

    func request(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
                 admin: Bool = false) async throws -> Reply {
        try await Self.request(method, base + path, body: body,
                               headers: headers + (admin ? [("Authorization", "Bearer \(token)")] : []))
    }

    /// One HTTP request to any URL.
    static func request(_ method: HTTPMethod, _ url: String, body: [UInt8]? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }

    /// Deploys through the admin API, as the CLI does.
    func deploy(_ bundle: AppBundle) async throws -> Reply {
        let upload = try JSONEncoder().encode(DeployRequest(manifest: bundle.manifest, files: bundle.files))
        return try await request(.POST, "/_stratus/apps", body: [UInt8](upload), headers: [("Content-Type", "application/json")], admin: true)
    }
}

/// The `{"error": {"code", "message"}}` body every failure answers with.
struct ErrorBody: Decodable {
    struct Detail: Decodable { let code: String; let message: String }
    let error: Detail

    static func decode(_ reply: TestServer.Reply) -> Detail? {
        try? JSONDecoder().decode(ErrorBody.self, from: Data(reply.body)).error
    }
}
