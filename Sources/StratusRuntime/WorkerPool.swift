import Foundation
import Synchronization

/// The threads that run guest code and other blocking work, so that NIO's event loops never
/// do. It is also the executor of the HTTP server's tasks (see `WorkerService`), so that a
/// request's handler can run its guest on the thread it already has instead of handing it to
/// another: each hand-off wakes a sleeping thread, which costs more than a pooled guest's run.
///
/// Blocking work holds one of `slots`, one fewer than the threads: the last thread is always
/// free for tasks, so requests that run no guest (the health check, the admin API) and callers
/// answered at their deadline are served while guests run. Blocking work waits for a slot
/// first come first served. Like Swift's own pool, no more threads are kept awake for tasks
/// than there are cores: more would only take turns on them.
public final class WorkerPool: TaskExecutor, Sendable {
    public typealias Job = @Sendable () -> Void

    private enum Work {
        case task(UnownedJob)
        case job(Job)
    }

    private enum Waiter {
        case job(Job)
        case task(CheckedContinuation<Void, Never>)
    }

    private struct State {
        var runnable = FIFO<Work>()
        var waiting = FIFO<Waiter>()
        var freeSlots: Int
        /// Workers asleep on their semaphores; the last to sleep is woken first (its cache is warm).
        var idle: [Int] = []
        /// Workers not asleep, and those of them in blocking work.
        var awake: Int
        var blocking = 0
    }

    private let state: Mutex<State>
    /// How many are in `runnable`, for workers that look before they sleep.
    private let queued = Atomic<Int>(0)
    private let wakers: [DispatchSemaphore]
    private let cores = ProcessInfo.processInfo.activeProcessorCount

    /// How many may run blocking work at once.
    public let slots: Int
    public var threadCount: Int { slots + 1 }

    /// One slot per core and one more: a single function may use all but one of them (see
    /// ``FunctionGate``), so it can keep every core busy and still leave a slot to the others.
    public static let defaultSlots = ProcessInfo.processInfo.activeProcessorCount + 1

    /// Starts `slots + 1` threads. `idle`: threads of the kernel's idle scheduling class, which
    /// run only when no other thread wants the core, and give it up the moment one wakes (a
    /// lower nice value only shares the core, and a woken thread waited for the next tick). A
    /// thread may lower its own priority but not raise it again without privilege, so demoted
    /// work has threads of its own.
    public init(slots: Int = WorkerPool.defaultSlots, idle: Bool = false, name: String = "stratus-worker") {
        self.slots = max(1, slots)
        state = Mutex(State(freeSlots: self.slots, awake: self.slots + 1))
        wakers = (0...self.slots).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<threadCount {
            let thread = Thread { [self] in
                if idle {
                    // SCHED_IDLE (5; the header hides it from Swift); pid 0 is the calling thread.
                    var parameters = sched_param()
                    _ = sched_setscheduler(0, 5, &parameters)
                }
                workLoop(index)
            }
            thread.name = "\(name)-\(index)"
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
        if isCurrent { return try await runHere(work) }
        await acquire()
        return try await withCheckedThrowingContinuation { continuation in
            schedule { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `work` in a slot on the calling thread, which must be one of the pool's. `work`
    /// need not escape, so nothing it uses is copied to the heap.
    public func runHere<T>(_ work: () throws -> T) async rethrows -> T {
        precondition(isCurrent, "runHere is for the pool's own threads")
        // A free slot is taken without a call to an async function: each such call switches
        // the task (a lock in the runtime), and nearly always there is a free slot.
        if !take(orQueue: nil) { await acquire() }
        state.withLock { $0.blocking += 1 }
        defer { release() }
        return try work()
    }

    /// Queues `job` to run on a worker once it has a slot.
    public func submit(_ job: @escaping Job) {
        let wake = state.withLock { state -> Int? in
            guard state.freeSlots > 0 else {
                state.waiting.push(.job(job))
                return nil
            }
            state.freeSlots -= 1
            return schedule(job, &state)
        }
        if let wake { wakers[wake].signal() }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wake = state.withLock { push(.task(job), &$0) }
        if let wake { wakers[wake].signal() }
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
        state.withLock { state in
            guard state.freeSlots == 0 else {
                state.freeSlots -= 1
                return true
            }
            if let waiter { state.waiting.push(.task(waiter)) }
            return false
        }
    }

    /// Gives a slot back, to the first waiter if there is one.
    private func release() {
        let (next, wake) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Int?) in
            state.blocking -= 1
            switch state.waiting.pop() {
            case nil:
                state.freeSlots += 1
                return (nil, nil)
            case .job(let job):
                return (nil, schedule(job, &state))
            case .task(let continuation):
                return (continuation, nil)
            }
        }
        if let wake { wakers[wake].signal() }
        next?.resume()
    }

    /// Queues `job`, which holds a slot, to run on a worker.
    private func schedule(_ job: @escaping Job) {
        let wake = state.withLock { schedule(job, &$0) }
        if let wake { wakers[wake].signal() }
    }

    private func schedule(_ job: @escaping Job, _ state: inout State) -> Int? {
        push(.job { [self] in
            job()
            release()
        }, &state)
    }

    /// Queues `work` and answers the worker to wake, if one must: when fewer are awake than
    /// cores, or when every awake one is in blocking work.
    private func push(_ work: Work, _ state: inout State) -> Int? {
        state.runnable.push(work)
        queued.add(1, ordering: .relaxed)
        guard state.awake < cores || state.awake == state.blocking, let index = state.idle.popLast() else { return nil }
        state.awake += 1
        return index
    }

    private func workLoop(_ index: Int) {
        pthread_setspecific(Self.owner, Unmanaged.passUnretained(self).toOpaque())
        while true {
            // Work queued in the next microseconds (a guest's answer going back to its task) is
            // cheaper to wait for awake than to be woken for.
            var spins = 0
            while queued.load(ordering: .relaxed) == 0 && spins < 2_000 { spins += 1 }
            let work = state.withLock { state -> Work? in
                guard let work = state.runnable.pop() else {
                    state.idle.append(index)
                    state.awake -= 1
                    return nil
                }
                queued.subtract(1, ordering: .relaxed)
                if case .job = work { state.blocking += 1 }
                return work
            }
            switch work {
            case .task(let job): job.runSynchronously(on: asUnownedTaskExecutor())
            case .job(let job): job()
            // Woken for work another worker took, it finds nothing and sleeps again.
            case nil: wakers[index].wait()
            }
        }
    }

    /// The pool a thread belongs to.
    private static let owner: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}

/// A first-in first-out queue whose pop is O(1).
struct FIFO<Element> {
    private var items: [Element?] = []
    private var head = 0

    mutating func push(_ item: Element) {
        items.append(item)
    }

    mutating func pop() -> Element? {
        guard head < items.count else { return nil }
        defer {
            items[head] = nil
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
        }
        return items[head]
    }
}
