import Foundation
import Synchronization

/// A fixed set of threads that run guest code and other blocking work, so that NIO's event
/// loops never do. Work waits in a FIFO queue when every thread is busy.
public final class WorkerPool: Sendable {
    public typealias Job = @Sendable () -> Void

    private let queue = Mutex<[Job]>([])
    private let available = DispatchSemaphore(value: 0)
    public let threadCount: Int

    /// One thread per core and one more: a single function may use all but one of them (see
    /// ``FunctionGate``), so it can keep every core busy and still leave a thread to the others.
    public static let defaultThreads = ProcessInfo.processInfo.activeProcessorCount + 1

    /// Starts `threads` workers.
    public init(threads: Int = WorkerPool.defaultThreads) {
        threadCount = threads
        for index in 0..<threads {
            let thread = Thread { [self] in workLoop() }
            thread.name = "stratus-worker-\(index)"
            // Deep host call chains (WASI, nested guests) need more than the default secondary-thread stack.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `work` on a worker thread and returns its result to the awaiting task.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Queues `job` for the next free worker.
    public func submit(_ job: @escaping Job) {
        queue.withLock { $0.append(job) }
        available.signal()
    }

    private func workLoop() {
        while true {
            available.wait()
            let job = queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            job?()
        }
    }
}
