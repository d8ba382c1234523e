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

    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])
    private let timers = Mutex<[String: Timer]>([:])

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// A finished invocation: `outcome` is `ok` or the error's code.
    func invocation(app: String, function: String, trigger: String, outcome: String, duration: Duration) {
        counter(Self.invocations, ["app": app, "function": function, "trigger": trigger, "outcome": outcome]).increment()
        timer(Self.invocationDuration, ["app": app, "function": function]).recordNanoseconds(duration.nanoseconds)
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
        let key = Self.key(label, dimensions)
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions.map { ($0.key, $0.value) }, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    private func timer(_ label: String, _ dimensions: KeyValuePairs<String, String>) -> Timer {
        let key = Self.key(label, dimensions)
        return timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Timer(label: label, dimensions: dimensions.map { ($0.key, $0.value) }, factory: factory)
            timers[key] = timer
            return timer
        }
    }

    private static func key(_ label: String, _ dimensions: KeyValuePairs<String, String>) -> String {
        dimensions.reduce(label) { $0 + "\u{0}" + $1.value }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
