import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StratusEngine
import StratusHTTP
import StratusModel
import StratusRuntime
import StratusStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the platform; state lives in the data folder and survives restarts.")

    @Option(name: .long, help: "The data folder (STRATUS_DATA; default ./stratus-data).") var data: String?
    @Option(name: .long, help: "The address to listen on (STRATUS_HOST; default 127.0.0.1).") var host: String?
    @Option(name: .long, help: "The port to listen on (STRATUS_PORT; default 8080).") var port: Int?
    @Option(name: .long, help: "The store (STRATUS_STORE): a postgres://USER:PASSWORD@HOST:PORT/DB URL that the nodes of a cluster share, or a SQLite file path (default DIR/stratus.sqlite).") var store: String?
    @Option(name: .long, help: "This node's name in a cluster (STRATUS_NODE; default HOST:PORT).") var node: String?
    @Option(name: .long, help: "Comma-separated labels of this node for manifests' affinity (STRATUS_TAGS).") var tags: String?
    @Option(name: .long, help: "The URL the other nodes reach this one at (STRATUS_ADVERTISE; default SCHEME://HOST:PORT).") var advertise: String?
    @Option(name: .long, help: "This node's share of placed work relative to the others (STRATUS_WEIGHT; default 1).") var weight: Double?
    @Option(name: .long, help: "How the nodes place event work and calls bound by affinity: random, hash or straw2 (STRATUS_PLACEMENT; default straw2, weighted rendezvous hashing).") var placement: String?
    @Option(name: .long, help: "A cluster file (STRATUS_CLUSTER): the shared store and each node's address and tags; --node names this node's entry.") var cluster: String?
    @Flag(name: .long, help: "Serve HTTPS instead of HTTP (STRATUS_TLS=1): with --cert and --key, or a self-signed certificate made once in DIR/tls.") var tls = false
    @Option(name: .customLong("cert"), help: "With --tls: the PEM certificate chain, leaf first (STRATUS_TLS_CERT).") var certificate: String?
    @Option(name: .customLong("key"), help: "With --tls: the PEM private key of the certificate (STRATUS_TLS_KEY).") var key: String?
    @Option(name: .long, help: "The largest request body in bytes for public routes (STRATUS_BODY_LIMIT; default 10 MiB, at most \(SettingRange.bodyLimit.range.upperBound)).") var bodyLimit: Int?
    @Option(name: .long, help: "Seconds a connection may send nothing before it is closed (STRATUS_IDLE_TIMEOUT; default 30, 1 to \(SettingRange.idleTimeout.range.upperBound)).") var idleTimeout: Int?
    @Option(name: .long, help: "The largest archive `stratus restore` may send, in MiB (STRATUS_MAX_RESTORE_MB; default 4096, at most \(SettingRange.restoreMB.range.upperBound)).") var maxRestoreMb: Int?
    @Option(name: .long, help: "Guests that run at once, each on a worker thread (STRATUS_WORKERS; default one per core and one more; 2 to \(SettingRange.workers.range.upperBound)); one more thread serves requests meanwhile.") var workers: Int?
    @Option(name: .long, help: "Time limit of functions that set no limits.timeout_ms, in milliseconds (STRATUS_TIMEOUT_MS; default 10000, at most \(SettingRange.timeoutMs.range.upperBound)).") var timeoutMs: Int?
    @Option(name: .long, help: "Memory limit of functions that set no limits.memory_mb, in MiB (STRATUS_MEMORY_MB; default 128, at most \(SettingRange.memoryMB.range.upperBound)).") var memoryMb: Int?
    @Option(name: .long, help: "How deep calls may nest where a function sets no limits.call_depth (STRATUS_CALL_DEPTH; default 32, at most \(SettingRange.callDepth.range.upperBound)).") var callDepth: Int?
    @Option(name: .long, help: "The engine that runs guests: auto, wasmtime or wasmkit (STRATUS_ENGINE; default auto: wasmtime when its library loads, from STRATUS_WASMTIME_LIB or /usr/local/lib/stratus/libwasmtime.so, else WasmKit).") var engine: String?
    @Option(name: .long, help: "An app folder to deploy at start-up; repeatable.") var deploy: [String] = []

    /// Flags first, then `STRATUS_*` variables, then defaults.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        var config = ServerConfiguration()
        let nodeName = node ?? environment["STRATUS_NODE"]
        if let path = cluster ?? environment["STRATUS_CLUSTER"] {
            guard let nodeName else { throw ValidationError("--cluster needs --node NAME: the file's entry for this node") }
            try ClusterFile.read(path).apply(to: &config, node: nodeName, path: path)
        }
        /// The flag's value, else the variable's, checked against the setting's range.
        func number(_ given: Int?, _ flag: String, _ variable: String, _ allowed: SettingRange) throws -> Int? {
            guard let text = given.map(String.init) ?? environment[variable] else { return nil }
            switch allowed.parse(text) {
            case .success(let value): return value
            case .failure(let problem): throw ValidationError("--\(flag) (\(variable)): \(problem.message)")
            }
        }
        func flag(_ name: String) throws -> Bool {
            switch environment[name]?.lowercased() {
            case nil, "", "0", "false", "no", "off": return false
            case "1", "true", "yes", "on": return true
            case let text?: throw ValidationError("\(name)=\(text) must be 1 or 0")
            }
        }
        config.dataDirectory = data ?? environment["STRATUS_DATA"] ?? config.dataDirectory
        config.host = host ?? environment["STRATUS_HOST"] ?? config.host
        config.port = try number(port, "port", "STRATUS_PORT", .port) ?? config.port
        config.storeURL = store ?? environment["STRATUS_STORE"] ?? config.storeURL
        config.token = environment["STRATUS_TOKEN"]
        config.bodyLimit = try number(bodyLimit, "body-limit", "STRATUS_BODY_LIMIT", .bodyLimit) ?? config.bodyLimit
        config.idleTimeoutSeconds = try number(idleTimeout, "idle-timeout", "STRATUS_IDLE_TIMEOUT", .idleTimeout) ?? config.idleTimeoutSeconds
        config.restoreLimitMB = try number(maxRestoreMb, "max-restore-mb", "STRATUS_MAX_RESTORE_MB", .restoreMB) ?? config.restoreLimitMB
        config.workers = try number(workers, "workers", "STRATUS_WORKERS", .workers) ?? config.workers
        if let ms = try number(timeoutMs, "timeout-ms", "STRATUS_TIMEOUT_MS", .timeoutMs) { config.defaults.timeout = .milliseconds(ms) }
        if let mb = try number(memoryMb, "memory-mb", "STRATUS_MEMORY_MB", .memoryMB) { config.defaults.memoryBytes = mb << 20 }
        config.defaults.callDepth = try number(callDepth, "call-depth", "STRATUS_CALL_DEPTH", .callDepth) ?? config.defaults.callDepth
        config.deploy = deploy
        config.node = nodeName
        if let list = tags ?? environment["STRATUS_TAGS"] {
            config.tags = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        for tag in config.tags where !Names.isValidNodeName(tag) {
            throw ValidationError("--tags: `\(tag)` is not a tag; a tag is 1 to 64 letters, digits, '.', ':', '_' or '-'")
        }
        if let text = weight.map({ String($0) }) ?? environment["STRATUS_WEIGHT"] {
            guard let value = Double(text), value > 0, value.isFinite else { throw ValidationError("--weight \(text): a weight is a number above 0") }
            config.weight = value
        }
        if let name = placement ?? environment["STRATUS_PLACEMENT"] {
            guard let value = Placement(rawValue: name) else {
                throw ValidationError("--placement \(name): choose one of \(Placement.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.placement = value
        }
        if let name = engine ?? environment["STRATUS_ENGINE"] {
            guard let value = EngineChoice(rawValue: name) else {
                throw ValidationError("--engine \(name): choose one of \(EngineChoice.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.engine = value
        }
        config.advertise = advertise ?? environment["STRATUS_ADVERTISE"] ?? config.advertise
        if let name = config.node, !Names.isValidNodeName(name) {
            throw ValidationError("--node \(name): a node name is 1 to 64 letters, digits, '.', ':', '_' or '-'")
        }
        config.tls = try tls || flag("STRATUS_TLS") || config.tls
        // An empty variable (`STRATUS_TLS_CERT=`) means unset, as a shell script clearing it intends.
        config.certificateFile = certificate ?? environment["STRATUS_TLS_CERT"].flatMap { $0.isEmpty ? nil : $0 }
        config.keyFile = key ?? environment["STRATUS_TLS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if !config.tls && (config.certificateFile != nil || config.keyFile != nil) {
            // Serving plain HTTP to someone who handed over a certificate would be a silent downgrade.
            throw StratusError(.badRequest, code: "tls_options", "--cert and --key (STRATUS_TLS_CERT, STRATUS_TLS_KEY) are for HTTPS; add --tls (or STRATUS_TLS=1)")
        }
        return config
    }

    func run() async throws {
        let config = try configuration()
        var logger = Logger(label: "stratus", factory: ServerLogHandler.init)
        logger.logLevel = .info
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        // Before the store opens: a bad certificate or key stops the start with nothing begun.
        let identity = try config.tls ? TLSIdentity.resolve(
            certificateFile: config.certificateFile, keyFile: config.keyFile,
            dataDirectory: config.dataDirectory, host: config.host) : nil
        let store = try await StoreLocation.open(url: config.storeURL, dataDirectory: config.dataDirectory)
        let metrics = MetricsExporter()
        switch (config.engine, WasmEngine.compilingTier) {
        case (.wasmkit, _): logger.info("engine: WasmKit (--engine wasmkit)")
        case (_, .success(let tier)): logger.info("engine: \(tier), WasmKit beside it")
        case (.wasmtime, .failure(let why)):
            throw ValidationError("--engine wasmtime: \(why)")
        case (.auto, .failure(let why)): logger.notice("engine: WasmKit only; wasmtime does not serve: \(why)")
        }
        let engine = WasmEngine(instantiated: metrics.platformMetrics.instantiated, choice: config.engine,
                                codeCache: config.dataDirectory + "/compiled")
        let scheme = identity == nil ? "http" : "https"
        let node = NodeRecord(name: config.node ?? "\(config.host):\(config.port)",
                              address: config.advertise ?? "\(scheme)://\(config.host):\(config.port)", tags: config.tags,
                              weight: config.weight)
        var membership = ClusterMembership.Settings()
        membership.placement = config.placement
        let platform = Platform(store: store, engine: engine, pool: WorkerPool(slots: config.workers), defaults: config.defaults,
                                metrics: metrics.platformMetrics, node: node, membership: membership, logger: logger)
        try await platform.start()
        for folder in config.deploy {
            let app = try await platform.deploy(try AppFolder.read(folder))
            logger.info("deployed \(app.name) from \(folder)")
        }
        let (token, tokenFile) = try AdminToken.resolve(given: config.token, dataDirectory: config.dataDirectory)
        if let tokenFile { logger.info("admin token in \(tokenFile)") }
        let settings = HTTPSettings(adminToken: token, bodyLimit: config.bodyLimit, idleTimeout: .seconds(config.idleTimeoutSeconds),
                                    restoreLimit: config.restoreLimitMB << 20)
        let onRunning: @Sendable (Int) async -> Void = { [logger] port in
            logger.info("Stratus serving on \(scheme)://\(config.host):\(port) with \(platform.apps.count) app(s)")
        }
        let server: any Service
        if let identity {
            logIdentity(identity, logger: logger)
            server = try StratusServer.make(platform: platform, settings: settings, host: config.host, port: config.port,
                                            tls: identity.serverConfiguration(), metrics: metrics, logger: logger, onRunning: onRunning)
        } else {
            server = StratusServer.make(platform: platform, settings: settings, host: config.host, port: config.port,
                                        metrics: metrics, logger: logger, onRunning: onRunning)
        }
        var services: [any Service] = [server, platform.invocations, platform.cluster]
        if let shared = platform.cluster.store {
            logger.info("node \(node.name) of the cluster on \(shared.location)")
            services.append(ClusterSync(platform: platform, store: shared, logger: logger))
        }
        // In a cluster a claim lasts while its node beats, so a dead node's work moves on soon.
        var delivery = EventDispatcher.Settings()
        if platform.cluster.store != nil { delivery.lease = platform.cluster.settings.lease }
        services += [EventDispatcher(platform: platform, node: node.name, settings: delivery, logger: logger),
                     CronScheduler(platform: platform, logger: logger)]
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func logIdentity(_ identity: TLSIdentity, logger: Logger) {
        let expiry = identity.notValidAfter.formatted(.iso8601)
        if let renewal = identity.renewal {
            logger.info("made a self-signed TLS certificate for \(identity.names.joined(separator: ", ")) (\(renewal)), valid until \(expiry)")
        }
        let origin = identity.isGenerated ? "self-signed " : ""
        logger.info("TLS \(origin)certificate \(identity.certificateFile), key \(identity.keyFile), SHA-256 fingerprint \(identity.fingerprint), valid until \(expiry)")
        if identity.notValidAfter <= Date() {
            // Served all the same: refusing to start would take the server down over a renewal.
            logger.warning("the TLS certificate \(identity.certificateFile) expired at \(expiry); clients will refuse it until it is replaced")
        }
    }
}
