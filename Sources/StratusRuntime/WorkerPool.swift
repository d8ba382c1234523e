import Foundation

/// The threads that run guest code and other blocking work, so that NIO's event loops never
/// do. It is also the executor of the HTTP server's tasks (see `WorkerService`), so that a
/// request's handler runs its guest on the thread it already has instead of handing it to
/// another: each hand-off wakes a sleeping thread, which costs more than a pooled guest's run.
///
/// Blocking work holds one of `slots`, one fewer than the threads: the last thread is always
/// free for tasks, so requests that run no guest (the health check, the admin API) and callers
/// answered at their deadline are served while guests run. Blocking work waits for a slot
/// first come first served.
public final class WorkerPool: TaskExecutor, @unchecked Sendable {
    public typealias Job = @Sendable () -> Void

    private enum Work {
        case task(UnownedJob)
        case job(Job)
    }

    private enum Waiter {
        case job(Job)
        case task(CheckedContinuation<Void, Never>)
    }

    // Every field below is guarded by `condition`.
    private let condition = NSCondition()
    private var runnable: [Work] = []
    private var waiting: [Waiter] = []
    private var freeSlots: Int
    private var sleeping = 0

    /// How many may run blocking work at once.
    public let slots: Int
    public var threadCount: Int { slots + 1 }

    /// One slot per core and one more: a single function may use all but one of them (see
    /// ``FunctionGate``), so it can keep every core busy and still leave a slot to the others.
    public static let defaultSlots = ProcessInfo.processInfo.activeProcessorCount + 1

    /// Starts `slots + 1` threads.
    public init(slots: Int = WorkerPool.defaultSlots) {
        self.slots = max(1, slots)
        freeSlots = self.slots
        for index in 0..<threadCount {
            let thread = Thread { [self] in workLoop() }
            thread.name = "stratus-worker-\(index)"
            // Deep host call chains (WASI, nested guests) need more than the default secondary-thread stack.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Whether the calling thread is one of this pool's.
    public var isCurrent: Bool {
        guard let owner = pthread_getspecific(Self.owner) else { return false }
        return owner == Unmanaged.passUnretained(self).toOpaque()
    }

    /// Runs `work`, which may block, in a slot and returns its result: on the calling thread
    /// when it is one of the pool's (a task of the HTTP server), else on a worker.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        await acquire()
        if isCurrent {
            defer { release() }
            return try work()
        }
        return try await withCheckedThrowingContinuation { continuation in
            schedule { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Queues `job` to run on a worker once it has a slot.
    public func submit(_ job: @escaping Job) {
        condition.lock()
        defer { condition.unlock() }
        guard freeSlots > 0 else { return waiting.append(.job(job)) }
        freeSlots -= 1
        scheduleLocked(job)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        runnable.append(.task(job))
        if sleeping > 0 { condition.signal() }
        condition.unlock()
    }

    /// Takes a slot, waiting for one if none is free.
    private func acquire() async {
        guard !take(orQueue: nil) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if take(orQueue: continuation) { continuation.resume() }
        }
    }

    /// Takes a free slot if there is one, else queues `waiter` (if any) for the next one.
    private func take(orQueue waiter: CheckedContinuation<Void, Never>?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard freeSlots == 0 else {
            freeSlots -= 1
            return true
        }
        if let waiter { waiting.append(.task(waiter)) }
        return false
    }

    /// Gives a slot back, to the first waiter if there is one.
    private func release() {
        condition.lock()
        guard !waiting.isEmpty else {
            freeSlots += 1
            return condition.unlock()
        }
        switch waiting.removeFirst() {
        case .job(let job):
            scheduleLocked(job)
            condition.unlock()
        case .task(let continuation):
            condition.unlock()
            continuation.resume()
        }
    }

    /// Queues `job`, which holds a slot, to run on a worker.
    private func schedule(_ job: @escaping Job) {
        condition.lock()
        scheduleLocked(job)
        condition.unlock()
    }

    private func scheduleLocked(_ job: @escaping Job) {
        runnable.append(.job { [self] in
            job()
            release()
        })
        if sleeping > 0 { condition.signal() }
    }

    private func workLoop() {
        pthread_setspecific(Self.owner, Unmanaged.passUnretained(self).toOpaque())
        condition.lock()
        while true {
            while runnable.isEmpty {
                sleeping += 1
                condition.wait()
                sleeping -= 1
            }
            let work = runnable.removeFirst()
            condition.unlock()
            switch work {
            case .task(let job): job.runSynchronously(on: asUnownedTaskExecutor())
            case .job(let job): job()
            }
            condition.lock()
        }
    }

    /// The pool a thread belongs to.
    private static let owner: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
