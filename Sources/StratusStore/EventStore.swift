import Foundation

/// Why an event exists: a KV write that matched a trigger, a spawn, or a cron tick.
public enum EventKind: String, Sendable, Codable {
    case kv, async, cron
}

/// A function to start because of a write, written to the outbox in the write's transaction.
public struct EventTarget: Sendable, Equatable {
    public var function: String
    /// The node placement chose to run it (see ``EventRecord/placedOn``).
    public var node: String?

    public init(function: String, node: String? = nil) {
        self.function = function
        self.node = node
    }
}

/// An invocation waiting in the durable outbox.
public struct EventRecord: Sendable, Equatable {
    public var id: Int64
    public var app: String
    public var function: String
    public var kind: EventKind
    /// The written key (KV events).
    public var key: [UInt8]?
    /// `set` or `delete` (KV events).
    public var op: String?
    /// The function's input: the written value, the spawned input, or nothing.
    public var payload: [UInt8]
    /// Failed attempts so far.
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    /// The node placement chose when the event was added. A store that many nodes share lets only
    /// that node claim it while it lives (see ``ClaimScope``); a store of one node ignores it.
    public var placedOn: String?

    public init(id: Int64 = 0, app: String, function: String, kind: EventKind, key: [UInt8]? = nil, op: String? = nil,
                payload: [UInt8], attempts: Int = 0, lastError: String? = nil, createdAt: Date = Date(), placedOn: String? = nil) {
        self.id = id
        self.app = app
        self.function = function
        self.kind = kind
        self.key = key
        self.op = op
        self.payload = payload
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.placedOn = placedOn
    }
}

/// The durable outbox. Events of one (app, function, key) are claimed one at a time, oldest
/// first, so a trigger sees the writes to a key in order; other events run concurrently.
public protocol EventStore: Sendable {
    /// Adds an event (a spawn). Blocking: called from worker threads.
    func enqueue(_ event: EventRecord) throws -> Int64
    /// Claims up to `limit` due events for `lease` seconds on behalf of `node`: with a `scope`,
    /// only events placed on it or free to anyone under the scope's rules.
    func claimEvents(node: String, now: Date, lease: TimeInterval, limit: Int, scope: ClaimScope?) async throws -> [EventRecord]
    /// Releases the claims `node` holds, as a restarted node does for what it ran before it died.
    func releaseClaims(node: String) async throws
    /// Removes a delivered event.
    func completeEvent(id: Int64) async throws
    /// Records a failed attempt: retried at `retryAt`, or a dead letter when `retryAt` is nil.
    func failEvent(id: Int64, error: String, retryAt: Date?) async throws
    /// Hands a claimed event back to run at `until` without counting an attempt: it could not be
    /// placed (no live node its function may run on), which is no fault of the function.
    func postponeEvent(id: Int64, until: Date, reason: String) async throws
    func deadLetters(app: String?, limit: Int) async throws -> [EventRecord]
    /// Puts a dead letter back in the queue with its attempts reset; false if there is no such dead letter.
    func replayDeadLetter(id: Int64) async throws -> Bool
    /// How long the queue is and how far behind: for metrics.
    func eventQueue(now: Date) async throws -> EventQueueStats
}

/// The outbox at one moment.
public struct EventQueueStats: Sendable, Equatable {
    /// Events waiting to run (due or not, claimed or not), dead letters excluded.
    public var pending: Int
    public var deadLetters: Int
    /// How long the oldest due event has waited past its time; zero when none is due.
    public var lag: TimeInterval

    public init(pending: Int, deadLetters: Int, lag: TimeInterval) {
        self.pending = pending
        self.deadLetters = deadLetters
        self.lag = lag
    }
}

/// Which events placed on other nodes a node may claim too.
public struct ClaimScope: Sendable, Equatable {
    /// Events placed on a node whose last heartbeat is older than this are anyone's: that node is gone.
    public var liveSince: Date
    /// Events due before this are anyone's wherever they were placed, so a busy node's backlog is shared.
    public var stealBefore: Date

    public init(liveSince: Date, stealBefore: Date) {
        self.liveSince = liveSince
        self.stealBefore = stealBefore
    }
}

extension EventStore {
    /// Claims due events wherever they were placed.
    public func claimEvents(node: String, now: Date, lease: TimeInterval, limit: Int) async throws -> [EventRecord] {
        try await claimEvents(node: node, now: now, lease: lease, limit: limit, scope: nil)
    }

    /// Events waiting (not dead).
    public func pendingEventCount() async throws -> Int {
        try await eventQueue(now: Date()).pending
    }
}
