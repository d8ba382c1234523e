import Hummingbird
import StratusEngine
import StratusModel
import StratusRuntime

/// `POST /_stratus/internal/invoke` and `/_stratus/internal/ws`: where the nodes of a cluster
/// hand each other invocations placed by affinity, and messages for the WebSocket connections
/// each holds. Only the cluster's secret opens it, so a node without a shared store
/// (which has none) refuses every call.
struct InternalAPI: Sendable {
    let platform: Platform
    let settings: HTTPSettings

    func invoke(_ request: Request) async throws -> Response {
        try authorize(request)
        // The input within the body limit, and the frame's metadata (context, headers) besides.
        let body = try await BodyReader.collect(request, limit: settings.bodyLimit + (1 << 20))
        let call = try ForwardedCall(decoding: Array(buffer: body))
        let result: Result<InvocationOutput, InvocationFailure>
        do {
            result = .success(try await platform.invoke(call))
        } catch let failure as InvocationFailure {
            result = .failure(failure)
        } catch {
            result = .failure(InvocationFailure(ErrorResponse.stratusError(error), logs: []))
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: ForwardedAnswer.encode(result))))
    }

    /// `POST /_stratus/internal/ws`: a `ws_send` or `ws_close` for a connection this node holds.
    func webSocket(_ request: Request) async throws -> Response {
        try authorize(request)
        let body = try await BodyReader.collect(request, limit: settings.bodyLimit + (1 << 20))
        let message = try ForwardedWebSocket(decoding: Array(buffer: body))
        guard platform.webSockets.deliver(message) else {
            throw StratusError(.notFound, code: "connection_not_found", "no WebSocket connection \(message.connection) of app \(message.app) on this node")
        }
        return Response(status: .ok)
    }

    private func authorize(_ request: Request) throws {
        guard let secret = platform.cluster.secret, BearerToken.matches(request, secret) else {
            throw StratusError(.unauthorized, code: "unauthorized",
                               "the internal endpoints take calls from the other nodes of this node's cluster only, with the cluster's secret")
        }
    }
}
