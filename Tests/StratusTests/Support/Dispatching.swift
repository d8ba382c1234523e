import StratusRuntime

extension Platform {
    /// Runs `body` while a dispatcher delivers this platform's events, with short retry delays
    /// and polling so tests do not wait; three attempts before a dead letter.
    func whileDispatching(_ body: () async throws -> Void) async throws {
        var settings = EventDispatcher.Settings()
        settings.maxAttempts = 3
        settings.firstRetryDelay = 0.02
        settings.pollInterval = .milliseconds(20)
        let dispatcher = EventDispatcher(platform: self, settings: settings)
        let task = Task { try await dispatcher.run() }
        defer { task.cancel() }
        try await body()
    }
}
