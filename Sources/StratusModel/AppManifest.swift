/// An app's manifest, `stratus.yaml`, as USAGE.md describes it; validated when parsed.
public struct AppManifest: Sendable, Equatable {
    public static let fileName = "stratus.yaml"

    public var app: String
    public var variables: [String: String]
    public var outbound: [String]
    /// Folders of the app served as they are, each under a route prefix.
    public var statics: [StaticMount]
    /// A folder guests read at `/app` through WASI.
    public var files: String?
    /// Functions in name order.
    public var functions: [FunctionSpec]
    /// Sequences and plans in name order; their names differ from every function's.
    public var sequences: [SequenceSpec]
    public var plans: [PlanSpec]
    /// Request filters, in the order they run.
    public var filters: [FilterSpec]

    public init(app: String, variables: [String: String] = [:], outbound: [String] = [],
                statics: [StaticMount] = [], files: String? = nil, functions: [FunctionSpec],
                sequences: [SequenceSpec] = [], plans: [PlanSpec] = [], filters: [FilterSpec] = []) {
        self.app = app
        self.variables = variables
        self.outbound = outbound
        self.statics = statics
        self.files = files
        self.functions = functions
        self.sequences = sequences
        self.plans = plans
        self.filters = filters
    }

    public func function(named name: String) -> FunctionSpec? {
        functions.first { $0.name == name }
    }

    /// The function, sequence or plan called `name`.
    public func callable(named name: String) -> Callable? {
        if let function = function(named: name) { return .function(function) }
        if let sequence = sequences.first(where: { $0.name == name }) { return .sequence(sequence) }
        return plans.first { $0.name == name }.map(Callable.plan)
    }

    /// Every public route of the app with the function, sequence or plan that serves it.
    public var routes: [(route: RoutePattern, function: String)] {
        functions.flatMap { f in f.http.map { (route: $0, function: f.name) } }
            + sequences.flatMap { q in q.http.map { (route: $0, function: q.name) } }
            + plans.flatMap { p in p.http.map { (route: $0, function: p.name) } }
    }

    /// Whether the app ships `path` (a path in its folder) as a static or `/app` file.
    public func ships(_ path: String) -> Bool {
        let folders = statics.map(\.folder) + (files.map { [$0] } ?? [])
        return folders.contains { path.hasPrefix($0 + "/") }
    }

    /// The module paths the manifest refers to, each once.
    public var modulePaths: [String] {
        Array(Set(functions.map(\.module))).sorted()
    }
}

/// A folder of the app served under a route prefix: `GET PREFIX/*path` answers the file at
/// `FOLDER/path` (`index.html` for a folder).
public struct StaticMount: Sendable, Equatable {
    public var route: RoutePattern
    /// The folder's path in the app, without a trailing `/`.
    public var folder: String

    public init(prefix: String, folder: String) throws(StratusError) {
        let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        route = try RoutePattern(parsing: "GET \(trimmed)/*path")
        self.folder = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
    }
}

/// One function of an app, as parsed; its fields live in one shared object. A function's spec
/// travels with each of its invocations, and copying a dozen fields cost as many retains.
public struct FunctionSpec: Sendable, Equatable {
    private final class Fields: Sendable {
        let name: String
        let module: String
        let entry: String?
        let http: [RoutePattern]
        let kv: [KVGrant]
        let triggers: [Trigger]
        let calls: [String]
        let callers: [String]
        let websocket: String?
        let limits: Limits
        let affinity: [String]

        init(name: String, module: String, entry: String?, http: [RoutePattern], kv: [KVGrant], triggers: [Trigger],
             calls: [String], callers: [String], websocket: String?, limits: Limits, affinity: [String]) {
            (self.name, self.module, self.entry, self.http, self.kv, self.triggers) = (name, module, entry, http, kv, triggers)
            (self.calls, self.callers, self.websocket, self.limits, self.affinity) = (calls, callers, websocket, limits, affinity)
        }
    }

    private let fields: Fields

    public var name: String { fields.name }
    /// Path of the module in the app folder: `.wasm` or `.wat`.
    public var module: String { fields.module }
    /// The export to run; `nil` means `handle` if exported, else `_start`.
    public var entry: String? { fields.entry }
    public var http: [RoutePattern] { fields.http }
    /// What the function may do in its app's KV namespace.
    public var kv: [KVGrant] { fields.kv }
    public var triggers: [Trigger] { fields.triggers }
    public var calls: [String] { fields.calls }
    /// Other apps (`app`) or their functions (`app/function`) that may call or spawn this one;
    /// functions of the same app need no entry.
    public var callers: [String] { fields.callers }
    public var websocket: String? { fields.websocket }
    public var limits: Limits { fields.limits }
    /// Node tags or names: in a cluster its invocations and events run only on nodes with one of
    /// them (forwarded there from others). Empty: on any node.
    public var affinity: [String] { fields.affinity }

    public init(name: String, module: String, entry: String? = nil, http: [RoutePattern] = [],
                kv: [KVGrant] = [], triggers: [Trigger] = [], calls: [String] = [], callers: [String] = [],
                websocket: String? = nil, limits: Limits = Limits(), affinity: [String] = []) {
        fields = Fields(name: name, module: module, entry: entry, http: http, kv: kv, triggers: triggers, calls: calls,
                        callers: callers, websocket: websocket, limits: limits, affinity: affinity)
    }

    public static func == (lhs: FunctionSpec, rhs: FunctionSpec) -> Bool {
        lhs.fields === rhs.fields
            || (lhs.name, lhs.module, lhs.entry, lhs.websocket, lhs.limits) == (rhs.name, rhs.module, rhs.entry, rhs.websocket, rhs.limits)
            && (lhs.http, lhs.kv, lhs.triggers, lhs.calls, lhs.callers, lhs.affinity) == (rhs.http, rhs.kv, rhs.triggers, rhs.calls, rhs.callers, rhs.affinity)
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
    /// How deep calls made below an invocation of this function may nest.
    public var callDepth: Int?
    /// The engine that must run the function; nil: the server's choice.
    public var engine: EngineChoice?

    public init(timeoutMs: Int? = nil, memoryMB: Int? = nil, callDepth: Int? = nil, engine: EngineChoice? = nil) {
        self.timeoutMs = timeoutMs
        self.memoryMB = memoryMB
        self.callDepth = callDepth
        self.engine = engine
    }
}
