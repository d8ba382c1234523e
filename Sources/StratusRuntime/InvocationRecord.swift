import Foundation
import StratusEngine

/// One finished invocation, as `stratus logs` and the web UI show it.
public struct InvocationRecord: Sendable, Codable, Equatable {
    public struct Line: Sendable, Codable, Equatable {
        /// debug, info, warn or error.
        public var level: String
        /// `log` (the host call) or `stderr`.
        public var source: String
        public var message: String

        public init(level: String, source: String, message: String) {
            self.level = level
            self.source = source
            self.message = message
        }
    }

    /// Its place in this server's log: later records have larger numbers.
    public var seq: Int64
    /// The invocation id the guest saw as `ctx("invocation")`.
    public var id: String
    public var app: String
    public var function: String
    public var trigger: String
    public var start: Date
    public var durationMs: Double
    /// `ok`, or the code of the error that ended it.
    public var outcome: String
    /// The response status of an invocation that ended well.
    public var status: Int?
    public var error: String?
    public var lines: [Line]

    enum CodingKeys: String, CodingKey {
        case seq, id, app, function, trigger, start, outcome, status, error, lines
        case durationMs = "duration_ms"
    }

    init(id: String, app: String, function: String, trigger: String, start: Date, duration: Duration,
         result: Result<InvocationOutput, InvocationFailure>, maxLogBytes: Int) {
        seq = 0
        self.id = id
        self.app = app
        self.function = function
        self.trigger = trigger
        self.start = start
        durationMs = Double(duration.nanoseconds) / 1e6
        let logs: [LogLine]
        switch result {
        case .success(let output):
            outcome = "ok"
            status = output.status
            logs = output.logs
        case .failure(let failure):
            outcome = failure.error.code
            error = failure.error.message
            logs = failure.logs
        }
        // Bounded: a chatty guest keeps its first lines and a note, not all of them.
        var bytes = 0
        lines = []
        for line in logs {
            bytes += line.message.utf8.count
            guard bytes <= maxLogBytes else {
                lines.append(Line(level: "warn", source: "log", message: "[\(logs.count - lines.count) more lines not kept]"))
                break
            }
            let level = switch line.level {
            case .debug: "debug"
            case .info: "info"
            case .warn: "warn"
            case .error: "error"
            }
            lines.append(Line(level: level, source: line.source.rawValue, message: line.message))
        }
    }
}
