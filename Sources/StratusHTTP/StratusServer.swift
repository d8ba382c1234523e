import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import StratusRuntime

/// The HTTP server of a platform, as a `Service` to run in a service group.
public enum StratusServer {
    /// A Hummingbird application serving `platform`; `onRunning` receives the bound port
    /// (useful with port 0).
    public static func make(platform: Platform, settings: HTTPSettings, host: String, port: Int,
                            metrics: MetricsExporter, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> any Service
    {
        WorkerService(inner: Application(
            responder: StratusResponder(platform: platform, settings: settings, metrics: metrics),
            server: upgrading(platform, settings),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Stratus"),
            onServerRunning: running(port, onRunning),
            logger: logger), pool: platform.pool)
    }

    /// The same application serving HTTPS with `tls` (certificate chain and key) on the same
    /// address; a TLS configuration NIO cannot use (a key it cannot load) throws here, before
    /// anything listens.
    public static func make(platform: Platform, settings: HTTPSettings, host: String, port: Int, tls: TLSConfiguration,
                            metrics: MetricsExporter, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws
        -> any Service
    {
        WorkerService(inner: Application(
            responder: StratusResponder(platform: platform, settings: settings, metrics: metrics),
            server: try .tls(upgrading(platform, settings), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Stratus"),
            onServerRunning: running(port, onRunning),
            logger: logger), pool: platform.pool)
    }

    /// Told once the server listens: guards the listening socket (see ``AcceptPause``) and
    /// passes the bound port on.
    private static func running(_ port: Int, _ onRunning: @escaping @Sendable (Int) async -> Void) -> @Sendable (any Channel) async -> Void {
        { channel in
            try? await channel.pipeline.addHandler(AcceptPause(), position: .first)
            await onRunning(channel.localAddress?.port ?? port)
        }
    }

    /// HTTP/1.1 that upgrades a request for an app's `websocket:` path to a WebSocket session.
    private static func upgrading(_ platform: Platform, _ settings: HTTPSettings) -> HTTPServerBuilder {
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(http1: http1(settings), ws: .init(maxFrameSize: settings.webSocketMessageLimit))
        return HTTPServerBuilder { responder in
            GuardedUpgradeChannel(inner: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: configuration,
                                                                      shouldUpgrade: shouldUpgrade(platform, settings)),
                                  idleTimeout: idleTimeout(settings))
        }
    }

    /// Upgrades a request for an app's `websocket:` path to a session with its function.
    private static func shouldUpgrade(_ platform: Platform, _ settings: HTTPSettings)
        -> @Sendable (HTTPRequest, any Channel, Logger) async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    {
        { request, _, _ in
            let path = String((request.path ?? "").prefix { $0 != "?" })
            guard let target = platform.webSocketTarget(path: path) else { return .dontUpgrade }
            let session = WebSocketSession(platform: platform, app: target.app, function: target.function, path: path,
                                           maxMessage: settings.webSocketMessageLimit)
            return .upgrade([:]) { inbound, outbound, context in
                await session.run(inbound: inbound, outbound: outbound, logger: context.logger)
            }
        }
    }

    private static func http1(_ settings: HTTPSettings) -> HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(idleTimeout: idleTimeout(settings))
    }

    private static func idleTimeout(_ settings: HTTPSettings) -> TimeAmount {
        let timeout = settings.idleTimeout.components
        return .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000)
    }
}
