import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StratusEngine
import StratusModel
import StratusStore

/// Hands invocations to other nodes' internal endpoint, authenticated by the cluster's secret.
/// A call that reaches the other node comes back as it ended there (its output, or its failure
/// with the same code); one that does not is `node_unreachable` (503).
final class NodeForwarder: Sendable {
    /// Where each node takes invocations from the others.
    static let path = "/_stratus/internal/invoke"
    /// Where each node takes WebSocket messages for the connections it holds.
    static let webSocketPath = "/_stratus/internal/ws"
    /// The largest answer taken back, as large as a guest's output may grow.
    private let maxAnswerBytes = 256 << 20
    /// One client for the process, never shut down (see ``OutboundHTTP``); connections to the
    /// other nodes stay open between calls.
    private static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                           configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(2))))

    func invoke(_ call: ForwardedCall, on node: NodeRecord, secret: String, deadline: ContinuousClock.Instant) async throws(InvocationFailure) -> InvocationOutput {
        let answer: [UInt8]
        do {
            let response = try await post(Self.path, call.encoded(), to: node, secret: secret, deadline: deadline)
            let body = Array(buffer: try await response.body.collect(upTo: maxAnswerBytes))
            guard response.status == .ok else {
                throw unreachable(node, "it answered \(response.status.code): \(String(decoding: body.prefix(300), as: UTF8.self))")
            }
            answer = body
        } catch let failure as InvocationFailure {
            throw failure
        } catch {
            throw unreachable(node, "\(error)")
        }
        let result: Result<InvocationOutput, InvocationFailure>
        do {
            result = try ForwardedAnswer.decode(answer)
        } catch {
            throw unreachable(node, "\(error)")
        }
        return try result.get()
    }

    /// Hands a WebSocket message to the node holding its connection: true when it took it,
    /// false when it has no such connection, nil when it did not answer.
    func webSocket(_ message: ForwardedWebSocket, on node: NodeRecord, secret: String, deadline: ContinuousClock.Instant) async -> Bool? {
        let wait = min(deadline, .now + .seconds(5))
        guard let response = try? await post(Self.webSocketPath, message.encoded(), to: node, secret: secret, deadline: wait) else { return nil }
        _ = try? await response.body.collect(upTo: 1 << 16)
        switch response.status.code {
        case 200: return true
        case 404: return false
        default: return nil
        }
    }

    /// The same from a guest's worker thread, which waits for the answer.
    func invokeBlocking(_ call: ForwardedCall, on node: NodeRecord, secret: String, deadline: ContinuousClock.Instant) throws(InvocationFailure) -> InvocationOutput {
        let result: Result<InvocationOutput, InvocationFailure> = ThreadWait.run { [self] in
            do throws(InvocationFailure) {
                return .success(try await invoke(call, on: node, secret: secret, deadline: deadline))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// POSTs a frame to `path` of `node`, authenticated by the cluster's secret.
    private func post(_ path: String, _ frame: [UInt8], to node: NodeRecord, secret: String,
                      deadline: ContinuousClock.Instant) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: node.address + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(secret)")
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .bytes(ByteBuffer(bytes: frame))
        let timeLeft = max(deadline - .now, .milliseconds(1)).components
        return try await Self.client.execute(
            request, deadline: .now() + .seconds(timeLeft.seconds) + .nanoseconds(timeLeft.attoseconds / 1_000_000_000))
    }

    private func unreachable(_ node: NodeRecord, _ why: String) -> InvocationFailure {
        InvocationFailure(StratusError(.unavailable, code: "node_unreachable",
                                       "node \(node.name) at \(node.address) did not take the forwarded call (\(why)); check that it runs the same Stratus version and that its --advertise address is reachable from here"),
                          logs: [])
    }
}
