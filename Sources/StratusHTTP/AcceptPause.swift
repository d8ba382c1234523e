import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Stops the listening socket's reads for a moment when `accept` fails for want of a file
/// descriptor (or of kernel memory). NIO leaves its read pending after such a failure, so the
/// still-readable socket wakes its event loop again at once and the loop spins a core until a
/// descriptor frees up; pausing reads takes the socket out of the poll set, and resuming them
/// tries again.
final class AcceptPause: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    /// How long the socket rests before accepting again.
    static let pause = TimeAmount.milliseconds(100)
    private var paused = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode), !paused {
            paused = true
            let channel = context.channel
            channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in
                channel.eventLoop.scheduleTask(in: Self.pause) {
                    self.paused = false
                    channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
                }
            }
        }
        context.fireErrorCaught(error)
    }
}

extension AcceptPause: @unchecked Sendable {}  // used on its channel's event loop only
