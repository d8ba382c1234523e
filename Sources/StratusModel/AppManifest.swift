/// An app's manifest, `stratus.yaml`, as USAGE.md describes it; validated when parsed.
public struct AppManifest: Sendable, Equatable {
    public static let fileName = "stratus.yaml"

    public var app: String
    public var variables: [String: String]
    public var outbound: [String]
    /// Route prefix → folder of the app, served as files.
    public var staticFolders: [String: String]
    /// A folder guests read at `/app` through WASI.
    public var files: String?
    /// Functions in name order.
    public var functions: [FunctionSpec]

    public init(app: String, variables: [String: String] = [:], outbound: [String] = [],
                staticFolders: [String: String] = [:], files: String? = nil, functions: [FunctionSpec]) {
        self.app = app
        self.variables = variables
        self.outbound = outbound
        self.staticFolders = staticFolders
        self.files = files
        self.functions = functions
    }

    public func function(named name: String) -> FunctionSpec? {
        functions.first { $0.name == name }
    }

    /// Every public route of the app with the function that serves it.
    public var routes: [(route: RoutePattern, function: String)] {
        functions.flatMap { f in f.http.map { (route: $0, function: f.name) } }
    }

    /// The module paths the manifest refers to, each once.
    public var modulePaths: [String] {
        Array(Set(functions.map(\.module))).sorted()
    }
}

/// One function of an app.
public struct FunctionSpec: Sendable, Equatable {
    public var name: String
    /// Path of the module in the app folder: `.wasm` or `.wat`.
    public var module: String
    /// The export to run; `nil` means `handle` if exported, else `_start`.
    public var entry: String?
    public var http: [RoutePattern]
    /// What the function may do in its app's KV namespace.
    public var kv: [KVGrant]
    public var triggers: [Trigger]
    public var calls: [String]
    public var websocket: String?
    public var limits: Limits

    public init(name: String, module: String, entry: String? = nil, http: [RoutePattern] = [],
                kv: [KVGrant] = [], triggers: [Trigger] = [], calls: [String] = [],
                websocket: String? = nil, limits: Limits = Limits()) {
        self.name = name
        self.module = module
        self.entry = entry
        self.http = http
        self.kv = kv
        self.triggers = triggers
        self.calls = calls
        self.websocket = websocket
        self.limits = limits
    }
}

/// A trigger besides HTTP.
public enum Trigger: Sendable, Equatable {
    case kv(pattern: KeyPattern, ops: Set<KVEventOperation>)
    case cron(CronSchedule)
}

/// The writes a KV trigger fires on.
public enum KVEventOperation: String, Sendable, Hashable {
    case set, delete
}

/// Per-function limits; `nil` means the server's default.
public struct Limits: Sendable, Equatable {
    public var timeoutMs: Int?
    public var memoryMB: Int?

    public init(timeoutMs: Int? = nil, memoryMB: Int? = nil) {
        self.timeoutMs = timeoutMs
        self.memoryMB = memoryMB
    }
}
