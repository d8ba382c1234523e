import CoreMetrics
import Synchronization

/// What the platform counts and times, through swift-metrics: the HTTP layer renders it for
/// Prometheus, tests read it back. Metric handles are made once per label set and kept, so an
/// invocation costs a dictionary lookup, not a registry lookup.
public final class PlatformMetrics: Sendable {
    public static let invocations = "stratus_invocations_total"
    public static let invocationDuration = "stratus_invocation_duration_seconds"
    public static let instantiationDuration = "stratus_instantiation_duration_seconds"
    public static let kvOperations = "stratus_kv_operations_total"

    /// A metric and its label values, in their order (at most four): fields rather than one
    /// joined string, so that finding a handle builds no string.
    private struct Key: Hashable {
        let label: String
        let first, second, third, fourth: String

        init(_ label: String, _ dimensions: KeyValuePairs<String, String>) {
            precondition(dimensions.count <= 4, "a metric has at most four labels")
            func value(_ index: Int) -> String { index < dimensions.count ? dimensions[index].value : "" }
            self.label = label
            (first, second, third, fourth) = (value(0), value(1), value(2), value(3))
        }
    }

    /// What an invocation records, by app, function, trigger and outcome: found in one lookup.
    private struct InvocationKey: Hashable {
        let app, function, trigger, outcome: String
    }

    private let factory: any MetricsFactory
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Timer]>([:])
    private let invocationHandles = Mutex<[InvocationKey: (count: Counter, duration: Timer)]>([:])

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// A finished invocation: `outcome` is `ok` or the error's code.
    func invocation(app: String, function: String, trigger: String, outcome: String, duration: Duration) {
        let key = InvocationKey(app: app, function: function, trigger: trigger, outcome: outcome)
        let handles = invocationHandles.withLock { $0[key] } ?? {
            let made = (count: counter(Self.invocations, ["app": app, "function": function, "trigger": trigger, "outcome": outcome]),
                        duration: timer(Self.invocationDuration, ["app": app, "function": function]))
            invocationHandles.withLock { $0[key] = made }
            return made
        }()
        handles.count.increment()
        handles.duration.recordNanoseconds(duration.nanoseconds)
    }

    /// A new instance made (a cold start, or one made ahead for a pool).
    public func instantiated(in duration: Duration) {
        timer(Self.instantiationDuration, [:]).recordNanoseconds(duration.nanoseconds)
    }

    /// A KV operation by a guest or through the admin API: get, set, delete, cas, incr or scan.
    func kv(app: String, op: String) {
        counter(Self.kvOperations, ["app": app, "op": op]).increment()
    }

    private func counter(_ label: String, _ dimensions: KeyValuePairs<String, String>) -> Counter {
        let key = Key(label, dimensions)
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions.map { ($0.key, $0.value) }, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    private func timer(_ label: String, _ dimensions: KeyValuePairs<String, String>) -> Timer {
        let key = Key(label, dimensions)
        return timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Timer(label: label, dimensions: dimensions.map { ($0.key, $0.value) }, factory: factory)
            timers[key] = timer
            return timer
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
