import Dispatch

/// Async work started from a thread that may block (a guest's worker, never an event loop),
/// which waits for its result.
enum ThreadWait {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let wait = DispatchSemaphore(value: 0)
        let box = Box<T>()
        Task {
            box.value = await body()
            wait.signal()
        }
        wait.wait()
        return box.value!
    }

    /// The result handed from the task to the waiting thread; the semaphore orders the write
    /// before the read.
    private final class Box<T>: @unchecked Sendable {
        var value: T?
    }
}
