import Foundation
import Logging
import ServiceLifecycle
import StratusStore
import Synchronization

/// This node's place in its cluster: it beats (name, address, tags, load) into the shared store
/// every `interval`, which also keeps the leases of the events it runs, and reads the live nodes
/// back for placement. A node on its own (SQLite) is a cluster of one.
public final class ClusterMembership: Service, Sendable {
    public struct Settings: Sendable {
        public var interval = Duration.seconds(1)
        /// A node is live while its last heartbeat is younger than this; its event claims last as long.
        public var lease = 5.0
        /// How work is placed among the live nodes its function may run on.
        public var placement = Placement.straw2
        /// An event its node has left this many seconds past due is anyone's (work stealing).
        public var stealAfter = 2.0

        public init() {}
    }

    private struct State {
        var live: [NodeRecord]
        var secret: String?
    }

    /// This node as others see it (load and heartbeat as of the last beat).
    public let node: NodeRecord
    public let settings: Settings
    /// The shared store; nil on a node of its own.
    public let store: (any ClusterStore)?
    private let load: InFlightCount
    private let logger: Logger
    private let state: Mutex<State>

    init(node: NodeRecord, store: (any ClusterStore)?, load: InFlightCount, settings: Settings, logger: Logger) {
        self.node = node
        self.store = store
        self.load = load
        self.settings = settings
        self.logger = logger
        state = Mutex(State(live: [node]))
    }

    /// Reads the cluster's secret and beats once, so that placement knows the other nodes and
    /// the internal endpoint answers them from the first request on.
    public func join() async throws {
        guard let store else { return }
        let secret = try await store.clusterSecret()
        state.withLock { $0.secret = secret }
        try await beat(store)
    }

    /// What nodes present to each other's internal endpoint; nil on a node of its own.
    public var secret: String? { state.withLock { $0.secret } }

    /// The live nodes as of the last heartbeat (this one alone without a shared store).
    public var liveNodes: [NodeRecord] { state.withLock { $0.live } }

    /// The node for `key` among the live nodes that serve `affinity`; nil when none does.
    public func place(_ key: String, affinity: [String] = []) -> NodeRecord? {
        settings.placement.choose(key, among: liveNodes.filter { $0.serves(affinity) })
    }

    /// The events this node may claim: its own, and those of nodes gone or overdue.
    func claimScope(now: Date) -> ClaimScope? {
        guard store != nil else { return nil }
        return ClaimScope(liveSince: now.addingTimeInterval(-settings.lease), stealBefore: now.addingTimeInterval(-settings.stealAfter))
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
                    try await beat(store)
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

    /// Records this node's heartbeat, then reads which nodes live.
    private func beat(_ store: any ClusterStore) async throws {
        let now = Date()
        try await store.heartbeat(current(at: now), leaseUntil: now.addingTimeInterval(settings.lease))
        let live = try await store.nodes(since: now.addingTimeInterval(-settings.lease))
        state.withLock { $0.live = live.contains { $0.name == node.name } ? live : live + [node] }
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
