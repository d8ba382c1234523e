import StratusModel

/// What one run of a function receives.
public struct Invocation: Sendable {
    /// The request body, event payload or caller's input.
    public var input: [UInt8]
    /// Context values for `ctx(name)`: `method`, `path`, `query`, `header.<name>`, `param.<name>`,
    /// `trigger`, `app`, `function`, `invocation`, `var.<name>`.
    public var context: [String: String]
    public var limits: InvocationLimits
    /// The app's files a WASI guest reads at `/app`; nil: an empty folder.
    public var files: AppFiles?

    public init(input: [UInt8], context: [String: String], limits: InvocationLimits = .generous, files: AppFiles? = nil) {
        self.input = input
        self.context = context
        self.limits = limits
        self.files = files
    }

    public var functionName: String { context["function"] ?? "function" }
}

/// A response header.
public struct Header: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A log line written by a guest (`log`, or a WASI guest's standard error).
public struct LogLine: Sendable, Equatable {
    public enum Level: Int, Sendable { case debug = 0, info, warn, error }
    /// Where the line came from: the `log` host call, or the guest's standard error.
    public enum Source: String, Sendable { case log, stderr }
    public var level: Level
    public var message: String
    public var source: Source

    public init(_ level: Level, _ message: String, source: Source = .log) {
        self.level = level
        self.message = message
        self.source = source
    }
}

/// What one run of a function produced.
public struct InvocationOutput: Sendable {
    public var status: Int
    public var headers: [Header]
    public var body: [UInt8]
    public var logs: [LogLine]

    public init(status: Int = 200, headers: [Header] = [], body: [UInt8] = [], logs: [LogLine] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.logs = logs
    }
}

/// An invocation that did not complete: the error says why, the logs what the guest wrote first.
public struct InvocationFailure: Error, Sendable {
    public var error: StratusError
    public var logs: [LogLine]

    public init(_ error: StratusError, logs: [LogLine]) {
        self.error = error
        self.logs = logs
    }
}
