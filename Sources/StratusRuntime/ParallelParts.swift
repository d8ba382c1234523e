import Foundation

/// Runs the parts of a plan with at most `parallelism` at once. The thread that asks takes parts
/// too, and helpers from the worker pool join as they get a thread, so a plan started on a
/// worker finishes even when every other worker is busy (or waiting on a plan of its own).
final class ParallelParts: @unchecked Sendable {
    // Every field below is guarded by `condition`.
    private let condition = NSCondition()
    private let count: Int
    private let parallelism: Int
    private let pool: WorkerPool
    private var next = 0
    private var running = 0
    private var closed = false

    init(count: Int, parallelism: Int, pool: WorkerPool) {
        self.count = count
        self.parallelism = parallelism
        self.pool = pool
    }

    /// `body(index)` for each part, results in part order; the first failure stops handing out
    /// parts and is thrown once the parts under way have ended.
    func run<T: Sendable, Failure: Error>(_ body: @escaping @Sendable (Int) throws(Failure) -> T) throws(Failure) -> [T] {
        let results = Results<T, Failure>(count: count)
        for _ in 0..<max(0, min(parallelism, count) - 1) {
            pool.submit { [self] in
                condition.lock()
                guard !closed else { return condition.unlock() }
                running += 1
                condition.unlock()
                work(body, results)
                condition.lock()
                running -= 1
                condition.broadcast()
                condition.unlock()
            }
        }
        work(body, results)
        condition.lock()
        closed = true
        while running > 0 { condition.wait() }
        condition.unlock()
        if let failure = results.failure { throw failure }
        return results.values.map { $0! }
    }

    private func work<T, Failure: Error>(_ body: (Int) throws(Failure) -> T, _ results: Results<T, Failure>) {
        while let index = take(results) {
            do {
                let value = try body(index)
                condition.lock()
                results.values[index] = value
                condition.unlock()
            } catch {
                condition.lock()
                if results.failure == nil { results.failure = error }
                condition.unlock()
            }
        }
    }

    private func take<T, Failure>(_ results: Results<T, Failure>) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard results.failure == nil, next < count else { return nil }
        next += 1
        return next - 1
    }

    /// The parts' results; guarded by the runner's condition.
    private final class Results<T, Failure: Error>: @unchecked Sendable {
        var values: [T?]
        var failure: Failure?
        init(count: Int) { values = Array(repeating: nil, count: count) }
    }
}
