import StratusModel

/// What one run of a function receives.
public struct Invocation: Sendable {
    /// The request body, event payload or caller's input.
    public var input: [UInt8]
    /// The trigger's context values for `ctx(name)`: `method`, `path`, `query`, `header.<name>`,
    /// `param.<name>`, `trigger`.
    public var context: [String: String]
    /// Values every invocation of the function sees (`app`, `function`, `node`, `var.<name>`),
    /// which win over `context`'s. Kept apart and shared, so that an invocation does not copy
    /// them into a dictionary of its own.
    public var shared: [String: String]
    /// This invocation's id, `ctx("invocation")`.
    public var id: String?
    public var limits: InvocationLimits
    /// The app's files a WASI guest reads at `/app`; nil: an empty folder.
    public var files: AppFiles?
    /// The pool of the function's instances, made ahead by the caller; nil: made from `app`,
    /// `function` and the module.
    public var poolKey: PoolKey?

    public init(input: [UInt8], context: [String: String], shared: [String: String] = [:], id: String? = nil,
                limits: InvocationLimits = .generous, files: AppFiles? = nil, poolKey: PoolKey? = nil) {
        self.input = input
        self.context = context
        self.shared = shared
        self.id = id
        self.limits = limits
        self.files = files
        self.poolKey = poolKey
    }

    /// The value `ctx(name)` answers.
    public func value(_ name: String) -> String? {
        if name == "invocation", let id { return id }
        return shared[name] ?? context[name]
    }

    /// Every value `ctx` answers, by name.
    public var values: [String: String] {
        var all = context.merging(shared) { $1 }
        if let id { all["invocation"] = id }
        return all
    }

    public var functionName: String { value("function") ?? "function" }
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
