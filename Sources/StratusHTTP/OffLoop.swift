import Foundation

/// Runs long blocking work (a backup, a restore) on a thread of its own: off the event loops,
/// and without holding one of the workers that guests need.
enum OffLoop {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result(catching: work)) }
        }
    }
}
