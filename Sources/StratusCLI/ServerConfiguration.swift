import Foundation
import StratusModel
import StratusRuntime

/// Everything `stratus serve` can be told, with its defaults; flags and `STRATUS_*` environment
/// variables fill it in one place (`ServeCommand.configuration`).
public struct ServerConfiguration: Sendable {
    public var dataDirectory = "./stratus-data"
    public var host = "127.0.0.1"
    public var port = 8080
    /// `nil`: the embedded SQLite store in the data folder.
    public var storeURL: String?
    public var token: String?
    public var bodyLimit = 10 << 20
    /// Seconds a connection may go without a request part before it is closed.
    public var idleTimeoutSeconds = 30
    /// The largest archive a restore may upload, in MiB.
    public var restoreLimitMB = 4096
    public var workers = WorkerPool.defaultSlots
    /// Limits of functions whose manifest sets none.
    public var defaults = FunctionDefaults()
    /// App folders deployed at start-up.
    public var deploy: [String] = []
    /// Serve HTTPS instead of HTTP, on the same port.
    public var tls = false
    /// PEM files of the certificate chain and its private key; `nil` for both: a self-signed
    /// pair that `TLSIdentity` keeps in `DIR/tls`.
    public var certificateFile: String?
    public var keyFile: String?
    /// This node's name in a cluster; default HOST:PORT.
    public var node: String?
    /// Labels a manifest's `affinity` can name.
    public var tags: [String] = []
    /// Where the other nodes reach this one; default SCHEME://HOST:PORT.
    public var advertise: String?
    /// This node's share of placed work relative to the others.
    public var weight = 1.0
    /// How the cluster's nodes place work among themselves.
    public var placement = Placement.straw2
    /// The engine that runs functions that pin none.
    public var engine = EngineChoice.auto

    public init() {}
}
