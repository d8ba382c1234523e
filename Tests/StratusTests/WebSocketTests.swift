import Foundation
import Logging
import StratusRuntime
import Synchronization
import Testing
import WSClient

/// WebSocket connections to a function's `websocket:` path, with a real client: each open and
/// message runs the function, its answer comes back; a KV trigger pushes to a connection with
/// `ws_send`; a function closes one with `ws_close`; an oversized message closes it with 1009.
@Suite(.timeLimit(.minutes(1))) struct WebSocketTests {
    /// `echo` answers `EVENT:INPUT`, keeps its connection's id at `sub` when it opens, and closes
    /// the connection when the message is `bye`; `push` sends each write of `news` to `sub`.
    static let app = AppBundle(manifest: """
        app: live
        functions:
          echo:
            module: echo.wat
            websocket: /ws/echo
            kv: {"sub": [set]}
          push:
            module: push.wat
            on: [{kv: news}]
            kv: {"sub": [get]}
        """, files: [
            "echo.wat": WATGuest.stratusGuest(data: [(0x100, "ws.event"), (0x110, "connection"), (0x120, ":"), (0x130, "sub")],
                                              locals: "(local $n i32) (local $c i32) (local $i i32)", """
                (local.set $n (call $buf_read (call $ctx (i32.const 0x100) (i32.const 8)) (i32.const 0) (i32.const 0x400) (i32.const 16)))
                (local.set $c (call $buf_read (call $ctx (i32.const 0x110) (i32.const 10)) (i32.const 0) (i32.const 0x500) (i32.const 128)))
                (local.set $i (call $buf_read (call $input) (i32.const 0) (i32.const 0x1000) (i32.const 0x8000)))
                ;; open: remember the connection for the push
                (if (i32.eq (i32.load8_u (i32.const 0x400)) (i32.const 111))
                  (then (drop (call $kv_set (i32.const 0x130) (i32.const 3) (i32.const 0x500) (local.get $c)))))
                (if (i32.and (i32.eq (local.get $i) (i32.const 3))
                             (i32.eq (i32.load (i32.const 0x1000)) (i32.const 0x657962)))  ;; "bye"
                  (then (drop (call $ws_close (i32.const 0x500) (local.get $c)))))
                (drop (call $out_write (i32.const 0x400) (local.get $n)))
                (drop (call $out_write (i32.const 0x120) (i32.const 1)))
                (drop (call $out_write (i32.const 0x1000) (local.get $i)))
            """),
            "push.wat": WATGuest.stratusGuest(data: [(0x130, "sub")], locals: "(local $c i32) (local $i i32)", """
                (local.set $c (call $buf_read (call $kv_get (i32.const 0x130) (i32.const 3)) (i32.const 0) (i32.const 0x500) (i32.const 128)))
                (local.set $i (call $buf_read (call $input) (i32.const 0) (i32.const 0x1000) (i32.const 0x8000)))
                (drop (call $ws_send (i32.const 0x500) (local.get $c) (i32.const 0x1000) (local.get $i)))
            """),
        ].mapValues { Array($0.utf8) })

    /// What a client saw: the messages it received, and how the server closed.
    struct Session {
        var messages: [String]
        var close: WebSocketCloseFrame?
    }

    /// Connects to `path`, sends `send` one by one (after the open's answer), reads until
    /// `until` says enough, then closes if the server has not.
    static func session(_ server: TestServer, _ path: String, send: [String], during: (@Sendable () async throws -> Void)? = nil,
                        until: @escaping @Sendable ([String]) -> Bool) async throws -> Session {
        let received = Mutex<[String]>([])
        let url = server.base.replacingOccurrences(of: "http://", with: "ws://") + path
        let close = try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 4 << 20), logger: Logger(label: "ws-test")) {
            inbound, outbound, _ in
            var iterator = inbound.messages(maxSize: 4 << 20).makeAsyncIterator()
            var pending = send
            while let message = try await iterator.next() {
                let text: String = switch message {
                case .text(let text): text
                case .binary(let buffer): String(buffer: buffer)
                }
                let all = received.withLock { $0.append(text); return $0 }
                if all.count == 1, let during { try await during() }
                if until(all) { break }
                if !pending.isEmpty { try await outbound.write(.text(pending.removeFirst())) }
            }
        }
        return Session(messages: received.withLock { $0 }, close: close)
    }

    @Test func eachEventRunsTheFunctionAndAKVTriggerPushesToTheConnection() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir, events: true) { server in
            _ = try await server.platform.deploy(Self.app)
            let echoed = try await Self.session(server, "/ws/echo", send: ["one", "two", "three"]) { $0.count == 4 }
            #expect(echoed.messages == ["open:", "message:one", "message:two", "message:three"], "messages are handled in order")

            // A write to `news` runs `push`, which sends the value to the connection `echo` kept.
            let pushed = try await Self.session(server, "/ws/echo", send: [], during: {
                let reply = try await server.request(.PUT, "/_stratus/apps/live/kv/news", body: Array("breaking".utf8), admin: true)
                #expect(reply.status == 204)
            }) { $0.contains("breaking") }
            #expect(pushed.messages == ["open:", "breaking"])
            _ = try await TestCluster.poll("the closed connections forgotten", seconds: 10) { () -> Bool? in
                server.platform.webSockets.count(app: "live") == 0 ? true : nil
            }
        }
    }

    @Test func aFunctionClosesItsConnectionAndAnOversizedMessageIsRefused() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            _ = try await server.platform.deploy(Self.app)
            let bye = try await Self.session(server, "/ws/echo", send: ["bye"]) { _ in false }
            #expect(bye.close?.closeCode == .normalClosure, "ws_close ends the connection: \(String(describing: bye.close))")
            #expect(bye.messages.first == "open:")

            let big = String(repeating: "x", count: 2 << 20)
            let refused = try await Self.session(server, "/ws/echo", send: [big]) { _ in false }
            #expect(refused.close?.closeCode == .messageTooLarge, "\(String(describing: refused.close))")

            let plain = try await server.request(.GET, "/ws/echo")
            #expect(plain.status == 404, "a WebSocket path is no HTTP route")
        }
    }

    @Test func connectionsPastTheAppsLimitAreClosedWithAReason() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir, webSocketsPerApp: 1) { server in
            _ = try await server.platform.deploy(Self.app)
            let second = Mutex<Session?>(nil)
            // While one connection is open, a second one is refused.
            let first = try await Self.session(server, "/ws/echo", send: [], during: {
                let refused = try await Self.session(server, "/ws/echo", send: []) { _ in false }
                second.withLock { $0 = refused }
            }) { $0.count == 1 }
            #expect(first.messages == ["open:"])
            let refused = try #require(second.withLock { $0 })
            #expect(refused.close?.closeCode == .policyViolation && refused.close?.reason?.contains("its limit") == true,
                    "\(String(describing: refused.close))")
            #expect(refused.messages.isEmpty)
        }
    }
}
