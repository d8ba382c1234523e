import Logging

/// The server's log lines as swift-log's stream handler writes them to standard error, with
/// metadata rendered when a line is written rather than whenever it is set: Hummingbird sets
/// a request id on every request's logger, and the stream handler renders all of a logger's
/// metadata on each set (2.5 % of a warm request's time, BENCHMARKS.md).
struct ServerLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        stream = .standardError(label: label)
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var stream = stream
        stream.metadata = metadata
        stream.log(event: event)
    }
}
