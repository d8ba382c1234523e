import Foundation
import Logging
import ServiceLifecycle
import StratusEngine
import StratusModel
import StratusStore
import Synchronization

/// Delivers the outbox's events: KV triggers, spawns and cron ticks. At least once: an event is
/// removed only after its function succeeded; a failure is retried with exponential backoff, and
/// after `maxAttempts` the event becomes a dead letter to inspect and replay.
public final class EventDispatcher: Service, Sendable {
    public struct Settings: Sendable {
        /// Attempts before an event becomes a dead letter.
        public var maxAttempts = 5
        /// The delay after the first failure; it doubles with each further one.
        public var firstRetryDelay = 0.1
        public var maxRetryDelay = 30.0
        /// How long a claim lasts: a node that dies holding one leaves the event to others after it.
        public var lease = 60.0
        /// Deliveries at once; the worker pool bounds the guest work further.
        public var concurrency = 16
        /// How often the outbox is read when no write rings the bell (retries fall due this way).
        public var pollInterval = Duration.milliseconds(250)

        public init() {}
    }

    private let platform: Platform
    private let settings: Settings
    private let node: String
    private let logger: Logger
    private let inFlight = Mutex(0)

    public init(platform: Platform, node: String = "local", settings: Settings = Settings(), logger: Logger = Logger(label: "stratus")) {
        self.platform = platform
        self.node = node
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        // What this node had claimed before it stopped runs again (at least once).
        try await platform.store.releaseClaims(node: node)
        try await cancelWhenGracefulShutdown { [self] in
            try await withThrowingDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let room = settings.concurrency - inFlight.withLock { $0 }
                    let events: [EventRecord]
                    do {
                        events = room > 0
                            ? try await platform.store.claimEvents(node: node, now: Date(), lease: settings.lease, limit: room,
                                                                   scope: platform.cluster.claimScope(now: Date()))
                            : []
                    } catch {
                        if Task.isCancelled { break }
                        // The store being away stops delivery, not the server; try again shortly.
                        logger.error("cannot read the event outbox: \(error)")
                        try await Task.sleep(for: .seconds(1))
                        continue
                    }
                    if events.isEmpty {
                        await platform.eventBell.wait(timeout: settings.pollInterval)
                        continue
                    }
                    inFlight.withLock { $0 += events.count }
                    for event in events {
                        group.addTask {
                            await self.deliver(event)
                            self.inFlight.withLock { $0 -= 1 }
                            // A finished event may unblock the next one of its key.
                            self.platform.eventBell.signal()
                        }
                    }
                }
            }
        }
    }

    /// Failures of placement rather than of the function.
    private static let unplaced: Set<String> = ["no_eligible_node", "node_unreachable"]

    private func deliver(_ event: EventRecord) async {
        var context: [String: String] = [:]
        if let key = event.key { context["key"] = String(decoding: key, as: UTF8.self) }
        if let op = event.op { context["op"] = op }
        // Which tick this is, the same on whichever node runs it (and on a retry).
        if event.kind == .cron { context["scheduled"] = event.createdAt.formatted(.iso8601) }
        do {
            _ = try await platform.invoke(app: event.app, function: event.function, input: event.payload,
                                          trigger: event.kind.rawValue, context: context)
            try await platform.store.completeEvent(id: event.id)
        } catch let failure as InvocationFailure where Self.unplaced.contains(failure.error.code) {
            // No node may run it just now: no fault of the function, so no attempt is counted.
            // Said once per reason, not at every retry.
            if event.lastError != failure.error.description {
                logger.warning("event \(event.id) for \(event.app)/\(event.function) waits: \(failure.error)")
            }
            do {
                try await platform.store.postponeEvent(id: event.id, until: Date().addingTimeInterval(1), reason: failure.error.description)
            } catch {
                logger.error("could not postpone event \(event.id): \(error)")
            }
        } catch {
            let message = (error as? InvocationFailure)?.error.description ?? "\(error)"
            let attempts = event.attempts + 1
            let retryAt = attempts < settings.maxAttempts
                ? Date().addingTimeInterval(min(settings.firstRetryDelay * pow(2, Double(attempts - 1)), settings.maxRetryDelay))
                : nil
            if retryAt == nil {
                logger.error("event \(event.id) for \(event.app)/\(event.function) failed \(attempts) times; now a dead letter: \(message)")
            }
            do {
                try await platform.store.failEvent(id: event.id, error: message, retryAt: retryAt)
            } catch {
                // The claim lapses and the event runs again: still at least once.
                logger.error("could not record the failure of event \(event.id): \(error)")
            }
        }
    }
}
