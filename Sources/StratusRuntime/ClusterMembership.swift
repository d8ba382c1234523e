import Foundation
import Logging
import ServiceLifecycle
import StratusStore
import Synchronization

/// This node's place in its cluster: it beats (name, address, tags, load) into the shared store
/// every `interval`, which also keeps the leases of the events it runs. A node on its own
/// (SQLite) is a cluster of one.
public final class ClusterMembership: Service, Sendable {
    public struct Settings: Sendable {
        public var interval = Duration.seconds(1)
        /// A node is live while its last heartbeat is younger than this; its event claims last as long.
        public var lease = 5.0

        public init() {}
    }

    /// This node as others see it (load and heartbeat as of the last beat).
    public let node: NodeRecord
    public let settings: Settings
    /// The shared store; nil on a node of its own.
    public let store: (any ClusterStore)?
    private let load: InFlightCount
    private let logger: Logger

    init(node: NodeRecord, store: (any ClusterStore)?, load: InFlightCount, settings: Settings, logger: Logger) {
        self.node = node
        self.store = store
        self.load = load
        self.settings = settings
        self.logger = logger
    }

    /// The live nodes by name, as the store knows them now (this node alone without a shared store).
    public func nodes() async throws -> [NodeRecord] {
        guard let store else { return [current()] }
        return try await store.nodes(since: Date().addingTimeInterval(-settings.lease))
    }

    public func run() async throws {
        guard let store else { return try await gracefulShutdown() }
        await cancelWhenGracefulShutdown { [self] in
            var failing = false
            while !Task.isCancelled {
                do {
                    let now = Date()
                    try await store.heartbeat(current(at: now), leaseUntil: now.addingTimeInterval(settings.lease))
                    if failing { logger.notice("node \(node.name) beats again") }
                    failing = false
                } catch {
                    if Task.isCancelled { break }
                    if !failing { logger.error("node \(node.name) cannot beat into the store: \(error)") }
                    failing = true
                }
                try? await Task.sleep(for: settings.interval)
            }
        }
        // Leaving: the others stop counting on this node, and take what it held at once.
        do {
            try await store.removeNode(named: node.name)
        } catch {
            logger.error("node \(node.name) could not sign off; its claims pass to others when its lease ends: \(error)")
        }
    }

    private func current(at now: Date = Date()) -> NodeRecord {
        var record = node
        record.load = load.value
        record.heartbeatAt = now
        return record
    }
}

/// Invocations running now: the load a node reports to its cluster.
final class InFlightCount: Sendable {
    private let count = Atomic(0)

    var value: Int { count.load(ordering: .relaxed) }

    func add(_ delta: Int) {
        count.add(delta, ordering: .relaxed)
    }
}
