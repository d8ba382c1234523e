import StratusEngine
import Synchronization

/// Answers a caller by a wall-clock instant even if the work behind the answer has not begun:
/// an invocation queued for a worker behind others is answered `timeout` at its deadline, and
/// runs nothing when a worker takes it later (the engine refuses an invocation past its
/// deadline; a running guest is stopped there by ``Preemption``).
enum AnswerBy {
    /// Starts the work with `start`, which must call its completion exactly once (from any
    /// thread), and returns its result, or `late()` at `instant` if that comes first. No
    /// instant: the work's result, whenever it comes.
    static func run<T: Sendable>(until instant: ContinuousClock.Instant?, late: @escaping @Sendable () -> any Error,
                                 _ start: (@escaping @Sendable (Result<T, any Error>) -> Void) -> Void) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let answer = Answer(continuation)
            let timer = instant.map { DeadlineTimer.shared.schedule(at: $0) { answer.resume(.failure(late())) } }
            start { result in
                if let timer { DeadlineTimer.shared.cancel(timer) }
                answer.resume(result)
            }
        }
    }

    /// Resumes its continuation with the first result given, and ignores the other.
    private final class Answer<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<T, any Error>?>

        init(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation = Mutex(continuation)
        }

        func resume(_ result: Result<T, any Error>) {
            continuation.withLock { $0.take() }?.resume(with: result)
        }
    }
}
