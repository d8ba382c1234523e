import Hummingbird
import HummingbirdCore
import HummingbirdTLS
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
        Application(
            responder: StratusResponder(platform: platform, settings: settings, metrics: metrics),
            server: .http1(configuration: http1(settings)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Stratus"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// The same application serving HTTPS with `tls` (certificate chain and key) on the same
    /// address; a TLS configuration NIO cannot use (a key it cannot load) throws here, before
    /// anything listens.
    public static func make(platform: Platform, settings: HTTPSettings, host: String, port: Int, tls: TLSConfiguration,
                            metrics: MetricsExporter, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws
        -> any Service
    {
        Application(
            responder: StratusResponder(platform: platform, settings: settings, metrics: metrics),
            server: try .tls(.http1(configuration: http1(settings)), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Stratus"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    private static func http1(_ settings: HTTPSettings) -> HTTP1Channel.Configuration {
        let timeout = settings.idleTimeout.components
        return HTTP1Channel.Configuration(additionalChannelHandlers: [ParseErrorResponder()],
                                          idleTimeout: .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))
    }
}
