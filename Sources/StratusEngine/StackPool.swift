import Synchronization
import WasmKit

/// Interpreter stacks kept between invocations: WasmKit allocates 512 KiB for each call's stack
/// otherwise, which costs more than running a small guest.
final class StackPool: Sendable {
    /// The stack lives behind a pointer rather than in a class property: a property would hold a
    /// dynamic exclusivity access for the whole run, and with calls nested on one thread every
    /// later access would scan past all of them.
    final class Box {
        let stack: UnsafeMutablePointer<ExecutionStack>
        init(engine: Engine) {
            stack = .allocate(capacity: 1)
            stack.initialize(to: ExecutionStack(engine: engine))
        }
        deinit {
            stack.deinitialize(count: 1)
            stack.deallocate()
        }
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
        return try body(&box.stack.pointee)
    }
}
