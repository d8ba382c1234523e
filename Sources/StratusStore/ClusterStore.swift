import Foundation

/// A node of a cluster as its last heartbeat describes it.
public struct NodeRecord: Sendable, Equatable {
    public var name: String
    /// Where other nodes reach its internal endpoint (`http://HOST:PORT`).
    public var address: String
    /// Labels a manifest's `affinity` can name.
    public var tags: [String]
    /// Its share of placed work relative to the others (straw2).
    public var weight: Double
    /// Invocations running on it at its last heartbeat.
    public var load: Int
    public var startedAt: Date
    public var heartbeatAt: Date

    public init(name: String, address: String, tags: [String] = [], weight: Double = 1, load: Int = 0,
                startedAt: Date = Date(), heartbeatAt: Date = Date()) {
        self.name = name
        self.address = address
        self.tags = tags
        self.weight = weight
        self.load = load
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
    }
}

/// What another node changed, as the store's notifications tell it.
public enum StoreChange: Sendable, Equatable {
    /// An app was deployed or deleted: its record is to be read again.
    case app(String)
    /// Events were added or fell due: the outbox is worth reading now.
    case events
    /// The notification channel was (re)connected and may have missed changes: read everything.
    case resync
}

/// A store that many nodes share: their membership, and notifications of what each changes.
public protocol ClusterStore: Store {
    /// The store's address without secrets, for messages.
    var location: String { get }
    /// Records that `node` lives, and extends the leases of the events it holds to `leaseUntil`,
    /// so a claim lasts as long as its node beats, however long the function runs.
    func heartbeat(_ node: NodeRecord, leaseUntil: Date) async throws
    /// The nodes whose last heartbeat is at `since` or later, by name.
    func nodes(since: Date) async throws -> [NodeRecord]
    /// Removes a node that is leaving, and releases its claims.
    func removeNode(named name: String) async throws
    /// The changes other nodes (and this one) make, until the stream's consumer stops.
    func changes() -> AsyncStream<StoreChange>
    /// The secret the nodes present to one another's internal endpoint: made by the first node
    /// that asks, the same for every node after (whoever reads the store holds everything anyway).
    func clusterSecret() async throws -> String
}
