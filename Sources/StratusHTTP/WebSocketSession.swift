import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import StratusEngine
import StratusModel
import StratusRuntime

/// One WebSocket connection to a function's `websocket:` path. Its open, each message and its
/// close run the function in turn (`ctx("trigger") = ws`, `ctx("connection")`, `ctx("ws.event")`),
/// one at a time, so a connection's messages are handled in order; what an invocation answers
/// goes back to the client as a message, as does whatever any function of the app sends with
/// `ws_send`, in the order they were made.
struct WebSocketSession: Sendable {
    let platform: Platform
    let app: String
    let function: String
    let path: String
    let maxMessage: Int

    /// Hands `send` and `close` from guests' worker threads to the connection's writer task.
    private struct Queue: WebSocketConnection {
        let continuation: AsyncStream<Outgoing>.Continuation
        func send(_ data: [UInt8]) { continuation.yield(.message(data)) }
        func close() { continuation.yield(.close(.normalClosure, nil)) }
    }

    private enum Outgoing: Sendable {
        case message([UInt8])
        case close(WebSocketErrorCode, String?)
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async {
        let (outgoing, continuation) = AsyncStream.makeStream(of: Outgoing.self)
        guard let id = platform.webSockets.open(app: app, Queue(continuation: continuation)) else {
            try? await outbound.close(.policyViolation, reason: "app \(app) has \(platform.webSockets.maxPerApp) WebSocket connections open, its limit; try again later")
            return
        }
        defer { platform.webSockets.remove(id) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await item in outgoing {
                    switch item {
                    case .message(let data):
                        if let text = String(validating: data, as: UTF8.self) {
                            try? await outbound.write(.text(text))
                        } else {
                            try? await outbound.write(.binary(ByteBuffer(bytes: data)))
                        }
                    case .close(let code, let reason):
                        try? await outbound.close(code, reason: reason)
                        return
                    }
                }
            }
            await invoke("open", [], id: id, continuation, logger)
            do {
                for try await message in inbound.messages(maxSize: maxMessage) {
                    switch message {
                    case .text(let text): await invoke("message", Array(text.utf8), id: id, continuation, logger)
                    case .binary(let buffer): await invoke("message", Array(buffer: buffer), id: id, continuation, logger)
                    }
                }
            } catch {
                // The library closes the connection itself (1009 for a message over the limit).
                logger.info("WebSocket \(id) of \(app): \(error)")
            }
            await invoke("close", [], id: id, continuation, logger)
            continuation.finish()
        }
    }

    /// Runs the function for one event of the connection; its answer, if any, goes back to it.
    private func invoke(_ event: String, _ input: [UInt8], id: String, _ continuation: AsyncStream<Outgoing>.Continuation,
                        _ logger: Logger) async {
        do {
            let output = try await platform.invoke(app: app, function: function, input: input, trigger: "ws",
                                                   context: ["connection": id, "ws.event": event, "path": path])
            if !output.body.isEmpty && event != "close" { continuation.yield(.message(output.body)) }
        } catch {
            let reason = (error as? InvocationFailure)?.error.description ?? "\(error)"
            logger.warning("WebSocket \(id) of \(app)/\(function), \(event): \(reason)")
        }
    }
}
