import Synchronization

/// Compiled modules by content hash (and entry), shared by all threads.
final class ModuleCache: Sendable {
    private let entries = Mutex<[String: CompiledModule]>([:])

    subscript(key: String) -> CompiledModule? {
        get { entries.withLock { $0[key] } }
        set { entries.withLock { $0[key] = newValue } }
    }
}
