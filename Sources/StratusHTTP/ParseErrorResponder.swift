import Foundation
import NIOCore
import NIOHTTP1
import StratusModel

/// Answers a request NIO could not parse (a header flood, a bad Content-Length, a request
/// line past the limits) with the same JSON error body as every other failure, then closes
/// the connection: nothing after a malformed head can be trusted to be a request. It sits
/// right after NIO's HTTP decoder and lets everything else pass untouched (WebSocket frames
/// too, once a connection is upgraded).
final class ParseErrorResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parse = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let problem = StratusError(.badRequest, code: "bad_http_request",
                                   "the request could not be parsed as HTTP/1.1 (\(parse)); headers are limited to 80 KiB and 1,000 fields")
        let body = ByteBuffer(bytes: ErrorResponse.body(problem))
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes)), ("Connection", "close")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}

/// Closes a connection whose first request head has not arrived within `timeout` of opening
/// (one that sends nothing, or trickles its head); once a head is parsed it steps aside, and
/// the HTTP handlers time idle connections out from then on.
final class FirstRequestTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(_ timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        if case .head = unwrapInboundIn(data) {
            timer?.cancel()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }
}
