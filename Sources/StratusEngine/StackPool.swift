import Synchronization
import WasmKit

/// Interpreter stacks kept between invocations: WasmKit allocates 512 KiB for each call's stack
/// otherwise, which costs more than running a small guest.
final class StackPool: Sendable {
    final class Box {
        var stack: ExecutionStack
        init(engine: Engine) { stack = ExecutionStack(engine: engine) }
    }

    private struct Idle: @unchecked Sendable {
        // A box is used by one thread at a time: it is either here or checked out.
        var boxes: [Box] = []
    }

    private let engine: Engine
    private let idle = Mutex(Idle())
    private let maxIdle: Int

    init(engine: Engine, maxIdle: Int = 64) {
        self.engine = engine
        self.maxIdle = maxIdle
    }

    /// Runs `body` with a stack no other invocation uses meanwhile.
    func withStack<T>(_ body: (inout ExecutionStack) throws -> T) rethrows -> T {
        let box = idle.withLock { $0.boxes.popLast() } ?? Box(engine: engine)
        defer {
            idle.withLock { if $0.boxes.count < maxIdle { $0.boxes.append(box) } }
        }
        return try body(&box.stack)
    }
}
