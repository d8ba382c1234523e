import Foundation
import Prometheus
import StratusRuntime
import Synchronization

/// `/metrics` in Prometheus text format: what the platform records through swift-metrics
/// (invocations, durations, instantiations, KV operations), and gauges read at each scrape
/// (event queue, dead letters, guest memory, the process's memory and CPU).
public final class MetricsExporter: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// Give this to the platform (and its engine's `instantiated`), so what it records shows here.
    public let platformMetrics: PlatformMetrics

    private let queueDepth, queueLag, deadLetters, apps, idleInstances, idleMemory, runningMemory: Gauge
    private let resident, virtual, threads, openFiles, startTime: Gauge
    private let cpu: Counter
    private let cpuReported = Mutex<Double>(0)

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Functions run in microseconds to seconds: buckets from 50 µs to 30 s.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        platformMetrics = PlatformMetrics(factory: factory)
        queueDepth = registry.makeGauge(descriptor: Self.name("stratus_event_queue_depth", "Events waiting in the durable outbox (dead letters excluded)"))
        queueLag = registry.makeGauge(descriptor: Self.name("stratus_event_lag_seconds", "How long the oldest due event has waited past its time"))
        deadLetters = registry.makeGauge(descriptor: Self.name("stratus_dead_letters", "Events whose function failed every attempt"))
        apps = registry.makeGauge(descriptor: Self.name("stratus_apps", "Deployed apps"))
        idleInstances = registry.makeGauge(descriptor: Self.name("stratus_idle_instances", "Instances kept ready at their snapshots"))
        idleMemory = registry.makeGauge(descriptor: Self.name("stratus_guest_memory_bytes", "Guest linear memory held"), labels: [("state", "idle")])
        runningMemory = registry.makeGauge(descriptor: Self.name("stratus_guest_memory_bytes", "Guest linear memory held"), labels: [("state", "running")])
        resident = registry.makeGauge(descriptor: Self.name("process_resident_memory_bytes", "Resident memory size in bytes"))
        virtual = registry.makeGauge(descriptor: Self.name("process_virtual_memory_bytes", "Virtual memory size in bytes"))
        threads = registry.makeGauge(descriptor: Self.name("process_threads", "Operating system threads"))
        openFiles = registry.makeGauge(descriptor: Self.name("process_open_fds", "Open file descriptors"))
        startTime = registry.makeGauge(descriptor: Self.name("process_start_time_seconds", "Start time of the process since the epoch, in seconds"))
        cpu = registry.makeCounter(descriptor: Self.name("process_cpu_seconds_total", "User and system CPU time spent, in seconds"))
    }

    /// A metric's whole name as one descriptor (the exposition names are the standard ones).
    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Reads the gauges, then renders every metric.
    func render(_ platform: Platform) async -> [UInt8] {
        if let queue = try? await platform.store.eventQueue(now: Date()) {
            queueDepth.set(Double(queue.pending))
            queueLag.set(queue.lag)
            deadLetters.set(Double(queue.deadLetters))
        }
        apps.set(Double(platform.apps.count))
        let memory = platform.engine.guestMemory
        idleInstances.set(Double(memory.idleInstances))
        idleMemory.set(Double(memory.idleBytes))
        runningMemory.set(Double(memory.runningBytes))
        let process = ProcessStats.read()
        resident.set(process.residentBytes)
        virtual.set(process.virtualBytes)
        threads.set(process.threads)
        openFiles.set(process.openFiles)
        startTime.set(process.startTime)
        // A counter only goes up: it is moved on by the CPU time spent since the last scrape.
        let delta = cpuReported.withLock { reported in
            defer { reported = max(reported, process.cpuSeconds) }
            return max(0, process.cpuSeconds - reported)
        }
        cpu.increment(by: delta)
        return registry.emitToBuffer()
    }
}
