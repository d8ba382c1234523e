import Foundation
import StratusModel

/// A deployed version of an app as the store keeps it.
public struct AppRecord: Sendable, Equatable {
    public var name: String
    /// Starts at 1 and grows by one with each deploy of the app.
    public var version: Int
    /// The manifest text as deployed.
    public var manifest: String
    /// The app's stored files: path in the app folder → sha256 of its content. Modules, static
    /// files and the files guests read at /app, each stored once per content (see ``ModuleBlob``).
    public var files: [String: String]
    public var deployedAt: Date

    public init(name: String, version: Int = 0, manifest: String, files: [String: String], deployedAt: Date = Date()) {
        self.name = name
        self.version = version
        self.manifest = manifest
        self.files = files
        self.deployedAt = deployedAt
    }
}

/// A file of an app (a module, a static file, a file for /app), stored once per content hash.
public struct ModuleBlob: Sendable, Equatable {
    public var sha256: String
    public var bytes: [UInt8]

    public init(sha256: String, bytes: [UInt8]) {
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// A route as the store keeps it unique across apps: method and shape (parameter names erased).
public struct RouteClaim: Sendable, Hashable {
    public var method: String
    public var shape: String
    /// The route as written, for messages.
    public var text: String

    public init(_ route: RoutePattern) {
        method = route.method
        shape = route.shape
        text = route.description
    }

    public init(method: String, shape: String, text: String) {
        self.method = method
        self.shape = shape
        self.text = text
    }
}

/// Durable state of the platform. One conformance suite runs against every implementation.
public protocol Store: KeyValueStore, EventStore, ScheduleStore, StateTransfer {
    /// Saves a new version of an app with its modules and routes in one transaction, replacing the
    /// previous version. Throws `route_conflict` (naming the holder) if another app holds a route.
    /// Returns the record with its new version.
    func deploy(_ app: AppRecord, modules: [ModuleBlob], routes: [RouteClaim]) async throws -> AppRecord
    /// Removes an app, its routes and the modules no other app uses; false if there was no such app.
    func deleteApp(named name: String) async throws -> Bool
    func apps() async throws -> [AppRecord]
    func app(named name: String) async throws -> AppRecord?
    func module(sha256: String) async throws -> [UInt8]?
    /// Why the store cannot serve now (`store_unavailable`), found without a round trip; nil
    /// when nothing is known to be wrong. The health check answers with it.
    var problem: StratusError? { get }
}

extension Store {
    public var problem: StratusError? { nil }
}
