import Dispatch
import Synchronization

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

/// The first of a result and an expiry resumes the waiter; the other is ignored.
final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var settled: Result<T, any Error>?
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if state.settled == nil { state.continuation = continuation }
            return state.settled
        }
        if let early { continuation.resume(with: early) }
    }

    func settle(_ result: Result<T, any Error>) {
        let (continuation, timer) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
            guard state.settled == nil else { return (nil, nil) }
            state.settled = result
            defer { (state.continuation, state.timer) = (nil, nil) }
            return (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(with: result)
    }

    /// Settles with `error()` after `duration` unless a result came first.
    func expire(after duration: Duration, _ error: @escaping @Sendable () -> any Error) {
        let timer = Task(executorPreference: BlockingBridge.shared) { [self] in
            do { try await Task.sleep(for: duration) } catch { return }
            settle(.failure(error()))
        }
        let done = state.withLock { state in
            if state.settled == nil { state.timer = timer }
            return state.settled != nil
        }
        if done { timer.cancel() }
    }
}
