import StratusEngine
import StratusModel
import StratusStore

/// An app version ready to serve: its record, parsed manifest and compiled modules. A class:
/// every invocation passes it along, and a struct of this size costs a dozen retains a copy.
public final class DeployedApp: Sendable {
    public let record: AppRecord
    public let manifest: AppManifest
    /// Function name → its compiled module.
    let modules: [String: CompiledModule]
    /// The manifest's `files:` folder, which its WASI guests read at `/app`.
    let files: AppFiles?
    /// Its functions, sequences and plans by name.
    private let entries: [String: CallableEntry]

    public var name: String { record.name }

    init(record: AppRecord, manifest: AppManifest, modules: [String: CompiledModule], files: AppFiles?, node: String) {
        self.record = record
        self.manifest = manifest
        self.modules = modules
        self.files = files
        // The manifest's own lookup decides which of two like-named callables a name means.
        entries = Dictionary(uniqueKeysWithValues: Set(Self.callableNames(of: manifest)).compactMap { name in
            manifest.callable(named: name).map {
                (name, CallableEntry($0, name: name, of: manifest, node: node, module: modules[name]))
            }
        })
    }

    public func module(for function: String) -> CompiledModule? { modules[function] }

    func entry(named name: String) -> CallableEntry? { entries[name] }

    /// The names of its functions, sequences and plans, for messages.
    public var callableNames: [String] { Self.callableNames(of: manifest) }

    private static func callableNames(of manifest: AppManifest) -> [String] {
        manifest.functions.map(\.name) + manifest.sequences.map(\.name) + manifest.plans.map(\.name)
    }

    /// The functions whose KV triggers match a write of `key` by `op`, each placed in `cluster`.
    func eventTargets(key: [UInt8], op: KVEventOperation, in cluster: ClusterMembership) -> [EventTarget] {
        manifest.functions.compactMap { function in
            let fires = function.triggers.contains { trigger in
                if case .kv(let pattern, let ops) = trigger { return ops.contains(op) && pattern.matches(key) }
                return false
            }
            guard fires else { return nil }
            let placement = PlacementKey.kv(app: name, function: function.name, key: key)
            return EventTarget(function: function.name, node: cluster.place(placement, affinity: function.affinity)?.name)
        }
    }
}
