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
        /// WebSocket path → the app and function that take its connections.
        var webSockets: [String: (app: String, function: String)] = [:]

        /// The route table and WebSocket paths of `apps` as they are now.
        mutating func reindex() {
            routes = RouteTable(apps.values.flatMap { app in app.manifest.routes.map { (route: $0.route, app: app.name, function: $0.function) } },
                                statics: apps.values.flatMap { app in app.manifest.statics.map { (mount: $0, app: app.name) } })
            webSockets = [:]
            for app in apps.values {
                for function in app.manifest.functions { if let path = function.websocket { webSockets[path] = (app.name, function.name) } }
            }
        }
    }

    public let store: any Store
    public let engine: WasmEngine
    public let pool: WorkerPool
    /// The limits of functions whose manifest sets none.
    public let defaults: FunctionDefaults
    /// Guests' outbound HTTP.
    public let outbound: OutboundHTTP
    /// Counts and timings of invocations, instances and KV operations.
    public let metrics: PlatformMetrics
    /// The recent invocations of each app with their log lines.
    public let invocations: InvocationLog
    public let logger: Logger
    /// One function never holds every worker (see ``FunctionGate``).
    private let gate: FunctionGate
    private let demoted = Mutex<WorkerPool?>(nil)
    private let snapshot = Mutex(Snapshot())
    /// Rung after a write adds events, so the dispatcher starts them without waiting for its poll.
    let eventBell = Wakeup()
    private let running = InFlightCount()
    /// This node, the live nodes of its cluster, and its heartbeats (a Service to run).
    public let cluster: ClusterMembership
    /// Calls placed on other nodes go through it.
    let forwarder = NodeForwarder()
    /// Static files (and their compressed forms) as served lately.
    public let fileCache = ByteCache(budget: 64 << 20)
    /// The WebSocket connections open on this node.
    public let webSockets: WebSocketHub

    /// Starts the dispatcher's next read of the outbox now (another node added events).
    public func eventsChanged() {
        eventBell.signal()
    }

    public init(store: any Store, engine: WasmEngine = WasmEngine(), pool: WorkerPool = WorkerPool(),
                defaults: FunctionDefaults = FunctionDefaults(), outbound: OutboundHTTP = OutboundHTTP(),
                metrics: PlatformMetrics = PlatformMetrics(), invocations: InvocationLog = InvocationLog(),
                node: NodeRecord = NodeRecord(name: "local", address: ""), membership: ClusterMembership.Settings = .init(),
                webSocketsPerApp: Int = 1000, logger: Logger = Logger(label: "stratus")) {
        self.store = store
        self.engine = engine
        self.pool = pool
        self.defaults = defaults
        self.outbound = outbound
        self.metrics = metrics
        self.invocations = invocations
        gate = FunctionGate(limit: pool.slots - 1)
        cluster = ClusterMembership(node: node, store: store as? any ClusterStore, load: running, settings: membership, logger: logger)
        webSockets = WebSocketHub(node: node.name, maxPerApp: webSocketsPerApp)
        self.logger = logger
    }

    /// Joins the cluster and loads every stored app, so that a restart serves what was
    /// deployed before it.
    public func start() async throws {
        try await cluster.join()
        try await refreshApps()
    }

    /// Serves the store's apps as they are now: new versions loaded, deleted apps dropped. A
    /// cluster's nodes call it when the store's notifications may have been missed.
    public func refreshApps() async throws {
        let records = try await store.apps()
        for record in records {
            await refresh(record)
        }
        let stored = Set(records.map(\.name))
        snapshot.withLock { state in
            state.apps = state.apps.filter { stored.contains($0.key) }
            state.reindex()
        }
        releaseUnusedModules()
    }

    /// Serves the stored version of one app (after another node deployed or deleted it).
    public func refreshApp(named name: String) async throws {
        guard let record = try await store.app(named: name) else {
            uninstall(name)
            return
        }
        await refresh(record)
        releaseUnusedModules()
    }

    /// Loads and serves `record` unless this version (or a later one) already serves.
    private func refresh(_ record: AppRecord) async {
        if let current = app(named: record.name), current.record.version >= record.version { return }
        do {
            let manifest = try ManifestParser().parse(record.manifest)
            var binaries: [String: [UInt8]] = [:]
            for path in manifest.modulePaths {
                guard let hash = record.files[path], let bytes = try await store.module(sha256: hash) else {
                    throw StratusError(.internalFailure, code: "module_missing", "module \(path) is missing from the store")
                }
                binaries[path] = bytes
            }
            let files = try await Self.appFiles(manifest, record) { _, hash in
                guard let bytes = try await self.store.module(sha256: hash) else {
                    throw StratusError(.internalFailure, code: "file_missing", "a file of the app's `files:` folder is missing from the store")
                }
                return bytes
            }
            install(try await compile(record, manifest, binaries, files: files))
        } catch {
            logger.error("app \(record.name) version \(record.version) could not be loaded: \(error)")
        }
    }

    /// Serves what a restore has just put into the store: its apps, and its pending events
    /// without waiting for the dispatcher's next poll.
    public func resumeAfterRestore() async throws {
        try await refreshApps()
        eventsChanged()
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

    /// The app and function whose `websocket:` path is `path`.
    public func webSocketTarget(path: String) -> (app: String, function: String)? {
        snapshot.withLock { $0.webSockets[path] }
    }

    /// Validates, compiles and stores a new version of an app, then serves it. The previous
    /// version keeps serving if anything is wrong.
    public func deploy(_ bundle: AppBundle) async throws -> DeployedApp {
        let manifest = try ManifestParser().parse(bundle.manifest)
        try bundle.checkPaths()
        var binaries: [String: [UInt8]] = [:]
        for path in manifest.modulePaths {
            guard let bytes = bundle.files[path] else {
                let users = manifest.functions.filter { $0.module == path }.map(\.name).joined(separator: ", ")
                throw StratusError(.badRequest, code: "module_missing",
                                   "\(AppManifest.fileName): module `\(path)` of function \(users) is not in the app folder")
            }
            binaries[path] = try WasmEngine.binary(from: bytes, path: path)
        }
        let (held, sockets) = snapshot.withLock { ($0.routes, $0.webSockets) }
        for path in manifest.functions.compactMap(\.websocket) {
            if let holder = sockets[path], holder.app != manifest.app {
                throw StratusError(.conflict, code: "route_conflict",
                                   "WebSocket path `\(path)` is held by app `\(holder.app)`; change the path or delete that app first")
            }
        }
        for route in manifest.routes.map(\.route) + manifest.statics.map(\.route) {
            if case .found(let match) = held.lookup(method: route.method, path: route.path), match.app != manifest.app,
               match.route.shape == route.shape {
                throw StratusError(.conflict, code: "route_conflict",
                                   "route `\(route)` is held by app `\(match.app)`; change the route or delete that app first")
            }
        }
        // Static and /app files are stored as they are; other files of the folder are not kept.
        var contents = binaries
        for (path, bytes) in bundle.files where binaries[path] == nil && manifest.ships(path) { contents[path] = bytes }
        let record = AppRecord(name: manifest.app, manifest: bundle.manifest, files: contents.mapValues(WasmEngine.sha256))
        // Deploying exactly what already serves (as `serve --deploy` does at each start) changes nothing.
        if let current = app(named: manifest.app), current.record.manifest == record.manifest,
           current.record.files == record.files {
            return current
        }
        // Compile before storing, so a module that does not validate is never stored.
        let files = try await Self.appFiles(manifest, record) { path, _ in contents[path]! }
        let compiled = try await compile(record, manifest, binaries, files: files)
        try await evaluateScripts(of: compiled)
        let blobs = Dictionary(record.files.map { ($0.value, contents[$0.key]!) }, uniquingKeysWith: { a, _ in a })
            .map { ModuleBlob(sha256: $0.key, bytes: $0.value) }
        let claims = (manifest.routes.map(\.route) + manifest.statics.map(\.route)).map(RouteClaim.init)
            + manifest.functions.compactMap(\.websocket).map { RouteClaim(method: "WS", shape: $0, text: "WebSocket \($0)") }
        let saved = try await store.deploy(record, modules: blobs, routes: claims)
        let deployed = DeployedApp(record: saved, manifest: manifest, modules: compiled.modules, files: files, node: cluster.node.name)
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
        uninstall(name)
    }

    private func uninstall(_ name: String) {
        snapshot.withLock { state in
            state.apps[name] = nil
            state.reindex()
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
        // The compiled modules in use: a JavaScript function's is the runner's.
        let used = snapshot.withLock { state in Set(state.apps.values.flatMap { $0.modules.values.map(\.sha256) }) }
        engine.retainModules(used)
    }

    /// The `/app` tree of an app version: the files below its `files:` folder, at most
    /// `maxAppFiles` bytes (they are held in memory).
    private static func appFiles(_ manifest: AppManifest, _ record: AppRecord, read: (String, String) async throws -> [UInt8]) async throws -> AppFiles? {
        guard let folder = manifest.files else { return nil }
        var files: [String: [UInt8]] = [:], total = 0
        for (path, hash) in record.files where path.hasPrefix(folder + "/") {
            let bytes = try await read(path, hash)
            total += bytes.count
            guard total <= maxAppFiles else {
                throw StratusError(.tooLarge, code: "files_too_large",
                                   "the `files:` folder `\(folder)` holds more than \(maxAppFiles >> 20) MiB; guests read it from memory, so keep large data in KV or behind outbound HTTP")
            }
            files[String(path.dropFirst(folder.count + 1))] = bytes
        }
        return try AppFiles(files)
    }

    static let maxAppFiles = 64 << 20

    /// Runs each JavaScript function's script once, so one that does not evaluate (a syntax
    /// error, a throw, no `handle`) is refused at deploy with the JavaScript message.
    private func evaluateScripts(of app: DeployedApp) async throws {
        for spec in app.manifest.functions where spec.module.hasSuffix(".js") {
            guard let module = app.module(for: spec.name) else { continue }
            let invocation = invocation(of: spec, in: app, input: [], context: [:], deadline: nil)
            let engine = self.engine
            do {
                try await pool.run { () throws -> Void in try engine.prepare(module, invocation) }
            } catch let failure as InvocationFailure {
                throw StratusError(.badRequest, code: failure.error.code, "\(spec.module) (function `\(spec.name)`): \(failure.error.message)")
            }
        }
    }

    private func compile(_ record: AppRecord, _ manifest: AppManifest, _ binaries: [String: [UInt8]], files: AppFiles?) async throws -> DeployedApp {
        let engine = self.engine
        let modules = try await pool.run { () throws -> [String: CompiledModule] in
            let names = Set(manifest.functions.map(\.name))
            var modules: [String: CompiledModule] = [:]
            for function in manifest.functions {
                let bytes = binaries[function.module]!
                if function.module.hasSuffix(".js") {
                    guard String(validating: bytes, as: UTF8.self) != nil else {
                        throw StratusError(.badRequest, code: "module_invalid", "\(function.module): a script must be UTF-8 text")
                    }
                    modules[function.name] = try engine.compile(try JavaScriptRunner.bytes(), entry: "handle", path: function.module,
                                                                setup: JavaScriptRunner.setup(bytes), pin: function.limits.engine)
                } else {
                    modules[function.name] = try engine.compile(bytes, entry: function.entry, path: function.module, bindable: names,
                                                                pin: function.limits.engine)
                }
            }
            try Self.checkBindings(manifest, modules)
            return modules
        }
        return DeployedApp(record: record, manifest: manifest, modules: modules, files: files, node: cluster.node.name)
    }

    /// Each import bound to another function must match an export of that function's module.
    private static func checkBindings(_ manifest: AppManifest, _ modules: [String: CompiledModule]) throws {
        for function in manifest.functions {
            for binding in modules[function.name]!.bindings {
                let problem = binding.module == function.name
                    ? "imports `\(binding.module).\(binding.name)` from its own function; import from another function of the app"
                    : modules[binding.module]!.mismatch(serving: binding)
                if let problem {
                    throw StratusError(.badRequest, code: "binding_invalid", "\(function.module) (function `\(function.name)`): \(problem)")
                }
            }
        }
    }

    /// Serves `app`, and has an instance of each of its functions made ahead of its first request.
    private func install(_ app: DeployedApp) {
        let installed = snapshot.withLock { state in
            // Two deploys of one app may finish out of order: the higher version wins.
            if let current = state.apps[app.name], current.record.version > app.record.version { return false }
            state.apps[app.name] = app
            state.reindex()
            return true
        }
        guard installed else { return }
        for function in app.manifest.functions {
            guard let module = app.module(for: function.name) else { continue }
            engine.prewarm(module, invocation(of: function, in: app, input: [], context: [:], deadline: nil))
        }
    }


    // MARK: Invocation

    /// Runs a function, sequence or plan on the worker pool. `context` holds the trigger's values
    /// (HTTP method, path, headers, parameters); the platform adds app, function, invocation id
    /// and variables.
    public func invoke(app appName: String, function name: String, input: [UInt8], trigger: String,
                       context extra: consuming [String: String] = [:]) async throws -> InvocationOutput {
        // Consumed, so that adding the trigger does not copy the caller's dictionary.
        var context = extra
        context["trigger"] = trigger
        return try await invoke(app: appName, function: name, input: input, context: consume context, at: Position(depth: 0, deadline: nil))
    }

    /// Runs here an invocation another node placed on this one.
    public func invoke(_ call: ForwardedCall) async throws -> InvocationOutput {
        let deadline = call.timeLeftMs.map { ContinuousClock.now + .milliseconds($0) }
        return try await invoke(app: call.app, function: call.function, input: call.input, context: call.context,
                                at: Position(depth: call.depth, deadline: deadline, placedHere: true))
    }

    func invoke(app appName: String, function name: String, input: [UInt8], context: [String: String],
                at: Position) async throws -> InvocationOutput {
        guard let app = app(named: appName) else {
            throw StratusError.appNotFound(appName)
        }
        guard let entry = app.entry(named: name) else {
            throw StratusError(.notFound, code: "function_not_found",
                               "app `\(appName)` has no function `\(name)`; it has \(app.callableNames.joined(separator: ", "))")
        }
        let (callable, spec, key) = (entry.callable, entry.function, entry.key)
        if let spec, !at.placedHere, let node = try placement(of: spec, in: app) {
            return try await forwarder.invoke(forwardedCall(app, spec, input: input, context: context, at), on: node,
                                              secret: cluster.secret ?? "", deadline: forwardDeadline(spec, at))
        }
        let limits = spec.map { self.limits(of: $0) }
        // The time limit counts from the arrival: a wait for a slot is part of it.
        var at = at
        if let limits, at.deadline.map({ limits.deadline < $0 }) ?? true { at.deadline = limits.deadline }
        if !gate.tryEnter(key) {
            guard await gate.enter(key, until: at.deadline) else { throw Self.late(limits) }
        }
        // A task of the HTTP server runs on a worker: a function known to end well inside its
        // time limit runs right there, without the two hand-offs between threads that cost more
        // than a pooled guest. Other functions run on another worker, so that their callers
        // hear of a timeout at the limit even while they wait for a worker (see AnswerBy). A
        // function that has run past half its limit runs on the demoted workers, which the
        // kernel runs only on cores nothing else wants: runaways cannot starve functions that behave.
        if pool.isCurrent, entry.isQuick {
            defer { gate.leave(key) }
            return try await pool.runHere { [at] in try paced(entry, limits) { try execute(app, callable, input: input, context: context, at) } }
        }
        let workers = entry.isSlow ? demotedPool : pool
        return try await AnswerBy.run(until: at.deadline, late: { Self.late(limits) }) { [at] done in
            workers.submit { [context] in
                let result = Result { try self.paced(entry, limits) { try self.execute(app, callable, input: input, context: context, at) } }
                self.gate.leave(key)
                done(result)
            }
        }
    }

    /// The answer to a caller whose deadline came before its invocation could run.
    private static func late(_ limits: InvocationLimits?) -> InvocationFailure {
        InvocationFailure(limits?.timeoutError() ?? InvocationLimits.callerTimeout, logs: [])
    }

    /// Runs `work` and records its pace: a function becomes quick when an invocation ends in
    /// under half its time limit, and slow for good when one takes longer or times out (no
    /// limit: quick).
    private func paced<T>(_ entry: CallableEntry, _ limits: InvocationLimits?, _ work: () throws -> T) throws -> T {
        let start = ContinuousClock.now
        var timedOut = false
        defer {
            // Doubled by adding: dividing or multiplying a Duration goes through generic 128-bit arithmetic.
            let elapsed = ContinuousClock.now - start
            entry.ran(slow: timedOut || (limits.map { elapsed + elapsed > $0.timeout } ?? false))
        }
        do {
            return try work()
        } catch let failure as InvocationFailure where failure.error.kind == .timeout {
            timedOut = true
            throw failure
        }
    }

    /// Demoted functions together run on all cores but one: a woken thread of the others then
    /// finds a core free, where taking one from a demoted thread waits for the kernel's next
    /// tick when it preempts lazily (milliseconds).
    static let demotedSlots = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)

    /// The workers of functions that run long (see `invoke`), made when the first one is found.
    private var demotedPool: WorkerPool {
        demoted.withLock { pool in
            if let pool { return pool }
            let made = WorkerPool(slots: Self.demotedSlots, idle: true, name: "stratus-demoted")
            pool = made
            return made
        }
    }

    /// Runs `name` of `app` on this thread: a function in a fresh instance, or each step of a
    /// sequence, or a plan's parts (on this thread and helpers of the pool). A failure is an
    /// ``InvocationFailure``. `at.deadline` is the caller's, which no callee outlives.
    func execute(_ app: DeployedApp, _ name: String, input: [UInt8], context: [String: String], _ at: Position) throws -> InvocationOutput {
        guard let callable = app.entry(named: name)?.callable else {
            throw InvocationFailure(StratusError(.notFound, code: "function_not_found", "app `\(app.name)` has no function `\(name)`"), logs: [])
        }
        return try execute(app, callable, input: input, context: context, at)
    }

    private func execute(_ app: DeployedApp, _ callable: Callable, input: [UInt8], context: [String: String], _ at: Position) throws -> InvocationOutput {
        switch callable {
        case .function(let spec): try run(app, spec, input: input, context: context, at)
        case .sequence(let sequence): try run(app, sequence, input: input, context: context, at)
        case .plan(let plan): try run(app, plan, input: input, context: context, at)
        }
    }

    /// Where an invocation runs in a chain of calls: how deep, the caller's deadline, and whether
    /// another node placed it here (then it runs here, whatever this node thinks of placement).
    struct Position {
        var depth: Int
        var deadline: ContinuousClock.Instant?
        var placedHere = false
    }

    /// One function in a fresh instance, its log lines to the server's log; or, when its
    /// affinity places it on another node, the answer of that node.
    func run(_ app: DeployedApp, _ spec: FunctionSpec, input: [UInt8], context: [String: String], _ at: Position) throws(InvocationFailure) -> InvocationOutput {
        if !at.placedHere, let node = try placement(of: spec, in: app) {
            return try forwarder.invokeBlocking(forwardedCall(app, spec, input: input, context: context, at), on: node,
                                                secret: cluster.secret ?? "", deadline: forwardDeadline(spec, at))
        }
        guard let module = app.module(for: spec.name) else {
            throw InvocationFailure(StratusError(.internalFailure, code: "function_missing", "function \(spec.name) has no module"), logs: [])
        }
        let invocation = invocation(of: spec, in: app, input: input, context: context, deadline: at.deadline)
        let host = InvocationServices(platform: self, app: app, function: spec, depth: at.depth, deadline: invocation.limits.deadline)
        let id = invocation.id!
        let (start, clock) = (Date(), ContinuousClock.now)
        running.add(1)
        var result: Result<InvocationOutput, InvocationFailure>
        do {
            result = .success(try engine.invoke(module, consume invocation, host: host))
        } catch {
            result = .failure(error)
        }
        running.add(-1)
        // A function that fails after the store failed it is reported as the outage it met (503).
        if case .failure(let failure) = result, let outage = host.outageSeen {
            result = .failure(InvocationFailure(outage, logs: failure.logs))
        }
        let duration = ContinuousClock.now - clock
        let trigger = context["trigger"] ?? "call"
        let record = InvocationRecord(id: id, app: app.name, function: spec.name, trigger: trigger, start: start, duration: duration,
                                      result: result, maxLogBytes: invocations.maxLogBytes)
        metrics.invocation(app: app.name, function: spec.name, trigger: trigger, outcome: record.outcome, duration: duration)
        invocations.add(consume record)
        // Made only when there is something to log: most invocations log nothing.
        func label() -> String { "\(app.name)/\(spec.name) \(id)" }
        switch result {
        case .success(let output):
            if !output.logs.isEmpty { log(output.logs, of: label()) }
            return output
        case .failure(let error):
            log(error.logs, of: label())
            logger.warning("\(label()): \(error.error)")
            throw error
        }
    }

    /// An invocation of `function` with its context (the trigger's values, then app, function,
    /// node and the app's variables, and a new invocation id) and its limits, its deadline no
    /// later than the caller's.
    func invocation(of function: FunctionSpec, in app: DeployedApp, input: [UInt8], context: [String: String],
                    deadline: ContinuousClock.Instant?) -> Invocation {
        var limits = limits(of: function)
        if let deadline, deadline < limits.deadline { limits.deadline = deadline }
        let entry = app.entry(named: function.name)
        return Invocation(input: input, context: context, shared: entry?.shared ?? [:], id: Self.newInvocationID(), limits: limits,
                          files: app.files, poolKey: entry?.poolKey)
    }

    /// `function`'s limits, from its manifest or the server's defaults, its deadline from now.
    func limits(of function: FunctionSpec) -> InvocationLimits {
        InvocationLimits(timeout: function.limits.timeoutMs.map { Duration.milliseconds($0) } ?? defaults.timeout,
                         memoryBytes: function.limits.memoryMB.map { $0 << 20 } ?? defaults.memoryBytes)
    }

    /// Guest log lines go to the server's log at their own level, tagged with the invocation.
    private func log(_ lines: [LogLine], of label: String) {
        for line in lines {
            let level: Logger.Level = switch line.level {
            case .debug: .debug
            case .info: .info
            case .warn: .warning
            case .error: .error
            }
            logger.log(level: level, "\(label): \(line.message)")
        }
    }

    /// A random start and a counter: unique in the process, and cheaper than asking the kernel
    /// for random bytes (and formatting them) on every invocation.
    static func newInvocationID() -> String {
        let value = invocationBase &+ invocationCounter.add(1, ordering: .relaxed).newValue
        // Fifteen hex digits (60 bits) written in place: a string that short is held inline,
        // without an allocation.
        return String(unsafeUninitializedCapacity: 15) { digits in
            for index in 0..<15 {
                let nibble = UInt8(truncatingIfNeeded: value >> (56 - 4 * index)) & 0xF
                digits[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return 15
        }
    }

    private static let invocationBase = UInt64.random(in: .min ... .max)
    private static let invocationCounter = Atomic<UInt64>(0)
}
