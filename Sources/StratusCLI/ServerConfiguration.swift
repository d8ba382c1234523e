import Foundation

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
    public var workers = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// How deep calls may nest where a function sets no `limits.call_depth`.
    public var callDepth = 32
    /// App folders deployed at start-up.
    public var deploy: [String] = []

    public init() {}
}
