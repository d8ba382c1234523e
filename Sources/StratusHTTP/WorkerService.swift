import ServiceLifecycle
import StratusRuntime

/// Runs a service's tasks on the platform's workers: every task the HTTP server starts for a
/// connection inherits the preference, so a request's handler runs its guest on the thread it
/// already has (see `WorkerPool`). The event loops still do the socket work.
struct WorkerService: Service {
    let inner: any Service
    let pool: WorkerPool

    func run() async throws {
        try await withTaskExecutorPreference(pool) { try await inner.run() }
    }
}
