import StratusModel
import StratusStore

/// Spawns and dead letters for people (the admin API and CLI).
extension Platform {
    /// Queues a durable asynchronous invocation; returns the event's id.
    public func spawn(app appName: String, function name: String, input: [UInt8]) async throws -> Int64 {
        guard let app = app(named: appName) else { throw StratusError.appNotFound(appName) }
        guard app.manifest.callable(named: name) != nil else {
            throw StratusError(.notFound, code: "function_not_found", "app `\(appName)` has no function `\(name)`")
        }
        let (store, event) = (self.store, spawnEvent(app: appName, function: name, input: input))
        let id = try await pool.run { try store.enqueue(event) }
        eventBell.signal()
        return id
    }

    public func deadLetters(app: String?, limit: Int = 100) async throws -> [EventRecord] {
        try await store.deadLetters(app: app, limit: limit)
    }

    /// Queues a dead letter again, with fresh attempts.
    public func replayDeadLetter(id: Int64) async throws {
        guard try await store.replayDeadLetter(id: id) else {
            throw StratusError(.notFound, code: "dead_letter_not_found", "no dead letter \(id); `stratus dead-letters` lists them")
        }
        eventBell.signal()
    }
}
