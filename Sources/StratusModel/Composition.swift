/// A sequence: the output of each step becomes the input of the next (OpenWhisk's sequences).
/// Reachable like a function: by its routes, by `stratus call` and by a guest's `call`.
public struct SequenceSpec: Sendable, Equatable {
    public var name: String
    /// Functions of the same app, in order; a name may repeat.
    public var steps: [String]
    public var http: [RoutePattern]

    public init(name: String, steps: [String], http: [RoutePattern] = []) {
        self.name = name
        self.steps = steps
        self.http = http
    }
}

/// A map-reduce plan (my-own-cluster's execution plan): the input is split into parts, `map`
/// runs on each part in parallel, and `reduce` receives the map outputs in part order.
public struct PlanSpec: Sendable, Equatable {
    /// How a plan cuts its input into parts.
    public enum Split: Sendable, Equatable {
        /// Parts of this many lines (the last may have fewer).
        case lines(Int)
        /// Parts of at most this many bytes, each ending at a line end; a longer line is a part of its own.
        case bytes(Int)
        /// A function of the app whose output frames the parts: `[u32 LE length][bytes]` each.
        case function(String)
    }

    public var name: String
    public var map: String
    public var reduce: String
    public var split: Split
    /// How many parts run at once; `nil` means one per worker thread.
    public var parallelism: Int?
    public var http: [RoutePattern]

    public init(name: String, map: String, reduce: String, split: Split, parallelism: Int? = nil, http: [RoutePattern] = []) {
        self.name = name
        self.map = map
        self.reduce = reduce
        self.split = split
        self.parallelism = parallelism
        self.http = http
    }
}

/// What a name in an app stands for: something a route, `stratus call` or a guest's `call` runs.
public enum Callable: Sendable, Equatable {
    case function(FunctionSpec)
    case sequence(SequenceSpec)
    case plan(PlanSpec)
}

/// A request filter (my-own-cluster's hooks): a function of the app that runs before the
/// functions it guards when they are reached by HTTP, and lets the request through or answers
/// it itself.
public struct FilterSpec: Sendable, Equatable {
    /// The filter function.
    public var function: String
    /// The functions, sequences and plans it guards; every other HTTP entry of the app when empty.
    public var before: [String]

    public init(function: String, before: [String] = []) {
        self.function = function
        self.before = before
    }

    /// Whether it runs before `name` (never before itself).
    public func guards(_ name: String) -> Bool {
        name != function && (before.isEmpty || before.contains(name))
    }
}
