import Synchronization

/// Compiled modules by content hash (and entry), shared by all threads.
final class ModuleCache: Sendable {
    private let entries = Mutex<[String: CompiledModule]>([:])

    /// Drops the modules whose hash is not in `hashes`.
    func retain(only hashes: Set<String>) {
        entries.withLock { $0 = $0.filter { hashes.contains($0.value.sha256) } }
    }

    subscript(key: String) -> CompiledModule? {
        get { entries.withLock { $0[key] } }
        set { entries.withLock { $0[key] = newValue } }
    }
}
