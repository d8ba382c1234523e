import StratusEngine
import StratusModel
import StratusStore

/// An app version ready to serve: its record, parsed manifest and compiled modules.
public struct DeployedApp: Sendable {
    public let record: AppRecord
    public let manifest: AppManifest
    /// Function name → its compiled module.
    let modules: [String: CompiledModule]

    public var name: String { record.name }

    public func module(for function: String) -> CompiledModule? { modules[function] }
}
