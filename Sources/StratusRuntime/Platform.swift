import Foundation
import Logging
import StratusEngine
import StratusModel
import StratusStore
import Synchronization

/// The platform: deployed apps, their route table, and invocation of their functions.
/// Deploys are atomic: requests see either the old version of an app or the new one.
public final class Platform: Sendable {
    private struct Snapshot: Sendable {
        var apps: [String: DeployedApp] = [:]
        var routes = RouteTable()
    }

    public let store: any Store
    public let engine: WasmEngine
    public let pool: WorkerPool
    let logger: Logger
    private let snapshot = Mutex(Snapshot())
    /// Rung after a write adds events, so the dispatcher starts them without waiting for its poll.
    let eventBell = Wakeup()

    public init(store: any Store, engine: WasmEngine = WasmEngine(), pool: WorkerPool = WorkerPool(),
                logger: Logger = Logger(label: "stratus")) {
        self.store = store
        self.engine = engine
        self.pool = pool
        self.logger = logger
    }

    /// Loads every stored app so that a restart serves what was deployed before it.
    public func start() async throws {
        for record in try await store.apps() {
            do {
                let manifest = try ManifestParser().parse(record.manifest)
                var binaries: [String: [UInt8]] = [:]
                for (path, hash) in record.modules {
                    guard let bytes = try await store.module(sha256: hash) else {
                        throw StratusError(.internalFailure, code: "module_missing", "module \(path) (\(hash)) is missing from the store")
                    }
                    binaries[path] = bytes
                }
                install(try await compile(record, manifest, binaries))
            } catch {
                logger.error("app \(record.name) version \(record.version) could not be loaded: \(error)")
            }
        }
    }

    // MARK: Apps

    public var apps: [DeployedApp] {
        snapshot.withLock { $0.apps.values.sorted { $0.name < $1.name } }
    }

    public func app(named name: String) -> DeployedApp? {
        snapshot.withLock { $0.apps[name] }
    }

    public func lookup(method: String, path: String) -> RouteTable.Lookup {
        snapshot.withLock { $0.routes }.lookup(method: method, path: path)
    }

    /// Validates, compiles and stores a new version of an app, then serves it. The previous
    /// version keeps serving if anything is wrong.
    public func deploy(_ bundle: AppBundle) async throws -> DeployedApp {
        let manifest = try ManifestParser().parse(bundle.manifest)
        var binaries: [String: [UInt8]] = [:]
        for path in manifest.modulePaths {
            guard let bytes = bundle.files[path] else {
                let users = manifest.functions.filter { $0.module == path }.map(\.name).joined(separator: ", ")
                throw StratusError(.badRequest, code: "module_missing",
                                   "\(AppManifest.fileName): module `\(path)` of function \(users) is not in the app folder")
            }
            binaries[path] = try WasmEngine.binary(from: bytes, path: path)
        }
        let held = snapshot.withLock { $0.routes }
        for (route, _) in manifest.routes {
            if case .found(let match) = held.lookup(method: route.method, path: route.path), match.app != manifest.app,
               match.route.shape == route.shape {
                throw StratusError(.conflict, code: "route_conflict",
                                   "route `\(route)` is held by app `\(match.app)`; change the route or delete that app first")
            }
        }
        let record = AppRecord(name: manifest.app, manifest: bundle.manifest, modules: binaries.mapValues(WasmEngine.sha256))
        // Deploying exactly what already serves (as `serve --deploy` does at each start) changes nothing.
        if let current = app(named: manifest.app), current.record.manifest == record.manifest,
           current.record.modules == record.modules {
            return current
        }
        // Compile before storing, so a module that does not validate is never stored.
        let compiled = try await compile(record, manifest, binaries)
        let blobs = record.modules.map { ModuleBlob(sha256: $0.value, bytes: binaries[$0.key]!) }
        let saved = try await store.deploy(record, modules: blobs, routes: manifest.routes.map { RouteClaim($0.route) })
        let deployed = DeployedApp(record: saved, manifest: manifest, modules: compiled.modules)
        try await store.replaceSchedules(app: saved.name, Self.schedules(of: manifest, after: Date()))
        install(deployed)
        releaseUnusedModules()
        logger.info("deployed \(saved.name) version \(saved.version)")
        return deployed
    }

    /// Removes an app; it stops serving at once.
    public func delete(app name: String) async throws {
        guard try await store.deleteApp(named: name) else {
            throw StratusError.appNotFound(name)
        }
        try await store.replaceSchedules(app: name, [])
        snapshot.withLock { state in
            state.apps[name] = nil
            state.routes = Self.routes(of: state.apps)
        }
        releaseUnusedModules()
    }

    /// The cron triggers of an app, each first due at its next tick after `date`.
    private static func schedules(of manifest: AppManifest, after date: Date) -> [ScheduleRecord] {
        manifest.functions.flatMap { function in
            function.triggers.compactMap { trigger -> ScheduleRecord? in
                guard case .cron(let cron) = trigger, let next = cron.next(after: date) else { return nil }
                return ScheduleRecord(app: manifest.app, function: function.name, expression: cron.description, nextRun: next)
            }
        }
    }

    private func releaseUnusedModules() {
        let used = snapshot.withLock { state in Set(state.apps.values.flatMap { $0.record.modules.values }) }
        engine.retainModules(used)
    }

    private func compile(_ record: AppRecord, _ manifest: AppManifest, _ binaries: [String: [UInt8]]) async throws -> DeployedApp {
        let engine = self.engine
        let modules = try await pool.run { () throws -> [String: CompiledModule] in
            var modules: [String: CompiledModule] = [:]
            for function in manifest.functions {
                modules[function.name] = try engine.compile(binaries[function.module]!, entry: function.entry, path: function.module)
            }
            return modules
        }
        return DeployedApp(record: record, manifest: manifest, modules: modules)
    }

    private func install(_ app: DeployedApp) {
        snapshot.withLock { state in
            // Two deploys of one app may finish out of order: the higher version wins.
            if let current = state.apps[app.name], current.record.version > app.record.version { return }
            state.apps[app.name] = app
            state.routes = Self.routes(of: state.apps)
        }
    }

    private static func routes(of apps: [String: DeployedApp]) -> RouteTable {
        RouteTable(apps.values.flatMap { app in
            app.manifest.routes.map { (route: $0.route, app: app.name, function: $0.function) }
        })
    }

    // MARK: Invocation

    /// Runs a function on the worker pool. `context` holds the trigger's values (HTTP method,
    /// path, headers, parameters); the platform adds app, function, invocation id and variables.
    public func invoke(app appName: String, function name: String, input: [UInt8], trigger: String,
                       context extra: [String: String] = [:]) async throws -> InvocationOutput {
        guard let app = app(named: appName) else {
            throw StratusError.appNotFound(appName)
        }
        guard let module = app.module(for: name) else {
            throw StratusError(.notFound, code: "function_not_found",
                               "app `\(appName)` has no function `\(name)`; it has \(app.manifest.functions.map(\.name).joined(separator: ", "))")
        }
        var context = extra
        context["app"] = appName
        context["function"] = name
        context["trigger"] = trigger
        context["invocation"] = Self.newInvocationID()
        for (key, value) in app.manifest.variables { context["var.\(key)"] = value }
        let invocation = Invocation(input: input, context: context)
        let engine = self.engine
        guard let spec = app.manifest.function(named: name) else {
            throw StratusError(.internalFailure, code: "function_missing", "function \(name) has a module but no manifest entry")
        }
        let host = InvocationServices(platform: self, app: app, function: spec)
        let id = context["invocation"]!
        do {
            let output = try await pool.run { try engine.invoke(module, invocation, host: host) }
            log(output.logs, of: "\(appName)/\(name)", id)
            return output
        } catch let failure as InvocationFailure {
            log(failure.logs, of: "\(appName)/\(name)", id)
            logger.warning("\(appName)/\(name) \(id): \(failure.error)")
            throw failure
        }
    }

    /// Guest log lines go to the server's log at their own level, tagged with the invocation.
    private func log(_ lines: [LogLine], of function: String, _ id: String) {
        for line in lines {
            let level: Logger.Level = switch line.level {
            case .debug: .debug
            case .info: .info
            case .warn: .warning
            case .error: .error
            }
            logger.log(level: level, "\(function) \(id): \(line.message)")
        }
    }

    static func newInvocationID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%016llx", generator.next() as UInt64)
    }
}
