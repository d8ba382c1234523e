import StratusEngine
import StratusModel
import Synchronization

/// A function, sequence or plan of one deployed app version, as its invocations use it: found
/// by name once per invocation, its gate key made at deploy rather than per call, and its pace
/// kept with it, so a new version starts with none.
final class CallableEntry: Sendable {
    let callable: Callable
    /// "app/name": its key in the platform's ``FunctionGate``.
    let key: String
    /// The spec when it is a function.
    let function: FunctionSpec?
    /// What every invocation of it sees besides its trigger's values: `app`, `function`, `node`
    /// and the app's variables as `var.<name>`.
    let shared: [String: String]
    /// Where the engine pools a function's instances (nil for a sequence or plan).
    let poolKey: PoolKey?

    /// 0: not yet run; then `quick` or `slow` (see `invoke`).
    private let pace = Atomic<UInt8>(0)
    private static let quick: UInt8 = 1, slow: UInt8 = 2

    /// `module` is the function's compiled module.
    init(_ callable: Callable, name: String, of app: AppManifest, node: String, module: CompiledModule?) {
        self.callable = callable
        key = "\(app.app)/\(name)"
        function = if case .function(let spec) = callable { spec } else { nil }
        var shared = ["app": app.app, "function": name, "node": node]
        for (variable, value) in app.variables { shared["var.\(variable)"] = value }
        self.shared = shared
        poolKey = module?.poolKey(app: app.app, function: name)
    }

    /// Has ended in under half its time limit, and never taken longer.
    var isQuick: Bool { pace.load(ordering: .relaxed) == Self.quick }
    /// Has once taken longer than half its time limit, or timed out.
    var isSlow: Bool { pace.load(ordering: .relaxed) == Self.slow }

    /// One invocation took more than half its time limit (`slow`, for good) or not.
    func ran(slow: Bool) {
        if slow {
            pace.store(Self.slow, ordering: .relaxed)
        } else {
            _ = pace.compareExchange(expected: 0, desired: Self.quick, ordering: .relaxed)
        }
    }
}
