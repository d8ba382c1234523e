import Dispatch

/// Runs the PostgreSQL client's tasks on threads of their own, so the synchronous store calls
/// (made by guests' worker threads, or by any caller) can wait for them without starving the
/// client: were they on the shared cooperative pool, two callers blocked on two cores would
/// leave no thread to run the query they wait for.
final class BlockingBridge: TaskExecutor, @unchecked Sendable {
    static let shared = BlockingBridge()

    private let queue = DispatchQueue(label: "stratus.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs `body` to completion and returns its result to a caller that may block.
    func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox<T>()
        Task(executorPreference: self) {
            do {
                result.value = .success(try await body())
            } catch {
                result.value = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try result.value!.get()
    }
}

/// Carries a result from a task to the thread that waits for it (the semaphore orders the two).
private final class ResultBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
