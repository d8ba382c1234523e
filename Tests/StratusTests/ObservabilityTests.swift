import Foundation
import StratusEngine
import StratusHTTP
import StratusRuntime
import Synchronization
import Testing

/// What an operator sees of known invocations: the Prometheus metrics at `/metrics`, the
/// invocation log through the admin API, and `stratus logs --follow`.
@Suite struct ObservabilityTests {
    static let manifest = """
        app: obs
        functions:
          hello:
            module: hello.wat
            http: [GET /obs/hello]
            kv:
              "count": [set]
          boom:
            module: boom.wat
            http: [GET /obs/boom]
          errs:
            module: errs.wat
            http: [GET /obs/errs]
        """

    /// Logs a line, writes `count`, answers "hi".
    static let hello = WATGuest.stratusGuest(data: [(0x100, "count"), (0x110, "1"), (0x120, "hello from the guest"), (0x140, "hi")], """
        (drop (call $log (i32.const 1) (i32.const 0x120) (i32.const 20)))
        (drop (call $kv_set (i32.const 0x100) (i32.const 5) (i32.const 0x110) (i32.const 1)))
        (drop (call $out_write (i32.const 0x140) (i32.const 2)))
    """)

    static var bundle: AppBundle {
        AppBundle(manifest: manifest, files: [
            "hello.wat": Array(hello.utf8),
            "boom.wat": Array(#"(module (func (export "handle") unreachable))"#.utf8),
            "errs.wat": Array(EngineWASITests.writer("disk on fire\n", fd: 2).utf8),
        ])
    }

    /// Three good invocations, a trap, a line on standard error, and two spawns left pending
    /// (this server runs no dispatcher).
    static func invokeKnownMix(_ server: TestServer) async throws {
        #expect(try await server.deploy(bundle).status == 201)
        for _ in 0..<3 { #expect(try await server.request(.GET, "/obs/hello").text == "hi") }
        #expect(try await server.request(.GET, "/obs/boom").status == 500)
        #expect(try await server.request(.GET, "/obs/errs").status == 200)
        for _ in 0..<2 {
            #expect(try await server.request(.POST, "/_stratus/apps/obs/functions/hello/spawn", body: [], admin: true).status == 202)
        }
    }

    /// The value of the sample `series` (name and labels as printed) in a Prometheus text page.
    static func sample(_ page: String, _ series: String) -> Double? {
        page.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test func metricsCountKnownInvocations() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            try await Self.invokeKnownMix(server)
            let reply = try await server.request(.GET, "/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let page = reply.text
            func value(_ series: String) -> Double? { Self.sample(page, series) }

            #expect(value(#"stratus_invocations_total{app="obs",function="hello",trigger="http",outcome="ok"}"#) == 3)
            #expect(value(#"stratus_invocations_total{app="obs",function="boom",trigger="http",outcome="guest_trap"}"#) == 1)
            #expect(value(#"stratus_invocations_total{app="obs",function="errs",trigger="http",outcome="ok"}"#) == 1)
            #expect(value(#"stratus_invocation_duration_seconds_count{app="obs",function="hello"}"#) == 3)
            #expect(value(#"stratus_invocation_duration_seconds_bucket{app="obs",function="hello",le="+Inf"}"#) == 3)
            #expect((value(#"stratus_invocation_duration_seconds_sum{app="obs",function="hello"}"#) ?? 0) > 0)
            #expect((value("stratus_instantiation_duration_seconds_count") ?? 0) >= 3, "each function made an instance")
            #expect(value(#"stratus_kv_operations_total{app="obs",op="set"}"#) == 3)
            #expect(value("stratus_event_queue_depth") == 2)
            #expect(value("stratus_dead_letters") == 0)
            #expect(value("stratus_apps") == 1)
            if case .success = WasmEngine.compilingTier {
                #expect(value(#"stratus_guest_memory_bytes{state="idle"}"#) == 0, "wasmtime makes an instance per invocation: none idles")
            } else {
                #expect((value(#"stratus_guest_memory_bytes{state="idle"}"#) ?? 0) >= 65536, "pooled instances hold memory")
            }
            #expect(value(#"stratus_guest_memory_bytes{state="running"}"#) == 0)
            #expect((value("process_resident_memory_bytes") ?? 0) > 1_048_576)
            #expect((value("process_cpu_seconds_total") ?? 0) > 0)
            #expect((value("process_open_fds") ?? 0) > 0)
            #expect(page.contains("# TYPE stratus_invocation_duration_seconds histogram"))
        }
    }

    @Test func theInvocationLogKeepsEachInvocationWithItsLines() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            try await Self.invokeKnownMix(server)
            let reply = try await server.request(.GET, "/_stratus/logs?app=obs", admin: true)
            #expect(reply.status == 200, "\(reply.text)")
            let list = try JSONDecoder.iso8601.decode(InvocationList.self, from: Data(reply.body))
            #expect(list.invocations.map(\.function) == ["hello", "hello", "hello", "boom", "errs"])
            #expect(list.invocations.map(\.seq) == list.invocations.map(\.seq).sorted())
            let hello = list.invocations[0]
            #expect(hello.outcome == "ok" && hello.status == 200 && hello.trigger == "http" && hello.durationMs > 0)
            #expect(hello.lines == [InvocationRecord.Line(level: "info", source: "log", message: "hello from the guest")])
            #expect(hello.id.count == 15)
            let boom = list.invocations[3]
            #expect(boom.outcome == "guest_trap" && boom.status == nil && boom.error?.contains("unreachable") == true, "\(boom)")
            #expect(list.invocations[4].lines.map(\.message) == ["disk on fire"])
            #expect(list.invocations[4].lines.map(\.source) == ["stderr"])

            let only = try JSONDecoder.iso8601.decode(InvocationList.self, from: Data(
                try await server.request(.GET, "/_stratus/logs?app=obs&function=boom", admin: true).body))
            #expect(only.invocations.map(\.function) == ["boom"])
            let bad = try await server.request(.GET, "/_stratus/logs?app=obs&limit=0", admin: true)
            #expect(bad.status == 400 && ErrorBody.decode(bad)?.code == "bad_limit")

            // A follower waiting after the newest record hears of the next one.
            let latest = list.latest
            let waiting = Task { try await server.request(.GET, "/_stratus/logs?app=obs&after=\(latest)&wait=20", admin: true) }
            try await Task.sleep(for: .milliseconds(200))
            _ = try await server.request(.GET, "/obs/hello")
            let woken = try JSONDecoder.iso8601.decode(InvocationList.self, from: Data(try await waiting.value.body))
            #expect(woken.invocations.map(\.function) == ["hello"])
            #expect(woken.invocations.first?.seq == latest + 1)
        }
    }

    @Test func logsFollowPrintsInvocationsAsTheyFinish() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            try await Self.invokeKnownMix(server)
            let follower = try StratusProcess.Streaming(["logs", "obs/hello", "--follow", "--server", server.base, "--token", server.token])
            defer { follower.stop() }
            try await follower.waitFor { $0.components(separatedBy: "obs/hello  http  ok 200").count - 1 == 3 }
            #expect(follower.output.contains("info: hello from the guest"))
            #expect(!follower.output.contains("obs/boom"), "only the function asked for")
            _ = try await server.request(.GET, "/obs/hello")
            try await follower.waitFor { $0.components(separatedBy: "obs/hello  http  ok 200").count - 1 == 4 }
        }
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
