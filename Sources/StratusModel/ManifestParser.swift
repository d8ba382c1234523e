import Yams

/// Reads `stratus.yaml` text into an ``AppManifest``, refusing unknown keys and bad values with a
/// message naming the file, the key path and the problem.
public struct ManifestParser: Sendable {
    public let file: String

    public init(file: String = AppManifest.fileName) {
        self.file = file
    }

    public func parse(_ text: String) throws -> AppManifest {
        guard NestingLimit.yamlDepth(text) <= NestingLimit.manifest else {
            throw fail("", "the manifest nests deeper than \(NestingLimit.manifest) levels; a manifest needs only a few")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw fail("", "the file is empty; it needs at least `app:` and `functions:`") }
            root = node
        } catch let error as StratusError {
            throw error
        } catch {
            throw fail("", "not valid YAML: \(error)")
        }
        let top = try mapping(root, "")
        try checkKeys(top, "", allowed: ["app", "variables", "outbound", "static", "files", "functions", "sequences", "plans", "filters"])

        guard let appNode = top["app"] else { throw fail("", "missing `app:` (the app's name, [a-z0-9-], 1 to 63 characters)") }
        let app = try scalar(appNode, "app")
        guard Names.isValidApp(app) else {
            throw fail("app", "`\(app)` is not a valid app name: use [a-z0-9-], 1 to 63 characters")
        }

        var variables: [String: String] = [:]
        if let node = top["variables"] {
            for (key, value) in try mapping(node, "variables") {
                guard Names.isValidVariable(key) else {
                    throw fail("variables.\(key)", "a variable name must be 1 to 63 of [A-Za-z0-9_]")
                }
                variables[key] = try scalar(value, "variables.\(key)")
            }
        }

        let outbound = try top["outbound"].map { try strings($0, "outbound") } ?? []
        for (index, url) in outbound.enumerated() where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw fail("outbound[\(index)]", "`\(url)` must be an http:// or https:// origin")
        }

        var statics: [StaticMount] = []
        if let node = top["static"] {
            for (prefix, folder) in try mapping(node, "static") {
                guard prefix.hasPrefix("/") else { throw fail("static.\(prefix)", "a route prefix must start with /") }
                let path = try scalar(folder, "static.\(prefix)")
                try checkRelativePath(path, "static.\(prefix)")
                do {
                    statics.append(try StaticMount(prefix: prefix, folder: path))
                } catch {
                    throw fail("static.\(prefix)", "`\(prefix)` is not a route prefix: \(error.message)")
                }
            }
        }
        var files = try top["files"].map { try scalar($0, "files") }
        if let folder = files {
            try checkRelativePath(folder, "files")
            files = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        }

        guard let functionsNode = top["functions"] else {
            throw fail("", "missing `functions:`; an app needs at least one function")
        }
        let functionMap = try mapping(functionsNode, "functions")
        guard !functionMap.isEmpty else { throw fail("functions", "an app needs at least one function") }
        var functions: [FunctionSpec] = []
        for (name, node) in functionMap {
            functions.append(try function(name, node))
        }
        functions.sort { $0.name < $1.name }
        let sequences = try top["sequences"].map { try self.sequences($0, functions: functions) } ?? []
        let plans = try top["plans"].map { try self.plans($0, functions: functions, sequences: sequences) } ?? []
        var manifest = AppManifest(app: app, variables: variables, outbound: outbound, statics: statics,
                                   files: files, functions: functions, sequences: sequences, plans: plans)
        manifest.filters = try top["filters"].map { try filters($0, manifest) } ?? []

        var seen: [String: String] = [:]
        for (route, name) in manifest.routes {
            let key = "\(route.method) \(route.shape)"
            if let other = seen[key] {
                throw fail("\(kind(of: name, in: manifest))s.\(name).http",
                           "route `\(route)` is also declared by \(kind(of: other, in: manifest)) `\(other)`")
            }
            seen[key] = name
        }
        return manifest
    }

    private func function(_ name: String, _ node: Node) throws -> FunctionSpec {
        let at = "functions.\(name)"
        guard Names.isValidFunction(name) else {
            throw fail(at, "`\(name)` is not a valid function name: use [A-Za-z0-9_-], 1 to 63 characters")
        }
        let map = try mapping(node, at)
        try checkKeys(map, at, allowed: ["module", "entry", "http", "kv", "on", "calls", "callers", "websocket", "limits", "affinity"])
        guard let moduleNode = map["module"] else { throw fail(at, "missing `module:` (a .wasm or .wat file in the app folder)") }
        let module = try scalar(moduleNode, "\(at).module")
        try checkRelativePath(module, "\(at).module")
        guard module.hasSuffix(".wasm") || module.hasSuffix(".wat") || module.hasSuffix(".js") else {
            throw fail("\(at).module", "`\(module)` must be a .wasm, .wat or .js file")
        }
        let entry = try map["entry"].map { try scalar($0, "\(at).entry") }
        let http = try routes(map["http"], at)
        var kv: [KVGrant] = []
        if let node = map["kv"] {
            for (pattern, ops) in try mapping(node, "\(at).kv") {
                var operations: Set<KVOperation> = []
                for op in try strings(ops, "\(at).kv.\(pattern)") {
                    guard let operation = KVOperation(rawValue: op) else {
                        throw fail("\(at).kv.\(pattern)", "unknown operation `\(op)`; use get, set, delete or scan")
                    }
                    operations.insert(operation)
                }
                kv.append(KVGrant(pattern: try keyPattern(pattern, "\(at).kv"), operations: operations))
            }
        }
        var triggers: [Trigger] = []
        if let node = map["on"] {
            guard case .sequence(let items) = node else { throw fail("\(at).on", "expected a list of triggers") }
            for (index, item) in items.enumerated() {
                let where_ = "\(at).on[\(index)]"
                let t = try mapping(item, where_)
                if let pattern = t["kv"] {
                    try checkKeys(t, where_, allowed: ["kv", "ops"])
                    var ops: Set<KVEventOperation> = []
                    for op in try t["ops"].map({ try strings($0, "\(where_).ops") }) ?? ["set"] {
                        guard let operation = KVEventOperation(rawValue: op) else {
                            throw fail("\(where_).ops", "unknown operation `\(op)`; use set or delete")
                        }
                        ops.insert(operation)
                    }
                    triggers.append(.kv(pattern: try keyPattern(try scalar(pattern, "\(where_).kv"), "\(where_).kv"), ops: ops))
                } else if let cron = t["cron"] {
                    try checkKeys(t, where_, allowed: ["cron"])
                    let text = try scalar(cron, "\(where_).cron")
                    let parsed: Result<CronSchedule, StratusError> = Result { () throws(StratusError) in try CronSchedule(parsing: text) }
                    switch parsed {
                    case .success(let schedule): triggers.append(.cron(schedule))
                    case .failure(let error): throw fail("\(where_).cron", error.message)
                    }
                } else {
                    throw fail(where_, "a trigger is `kv: PATTERN` (with optional `ops:`) or `cron: EXPR`")
                }
            }
        }
        let calls = try map["calls"].map { try strings($0, "\(at).calls") } ?? []
        let callers = try map["callers"].map { try strings($0, "\(at).callers") } ?? []
        for (index, caller) in callers.enumerated() {
            let parts = caller.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard Names.isValidApp(parts[0]), parts.count == 1 || (parts.count == 2 && Names.isValidFunction(parts[1])) else {
                throw fail("\(at).callers[\(index)]", "`\(caller)` must be an app (`shop`) or one of its functions (`shop/checkout`)")
            }
        }
        let websocket = try map["websocket"].map { try scalar($0, "\(at).websocket") }
        if let websocket, !websocket.hasPrefix("/") { throw fail("\(at).websocket", "the path must start with /") }
        if let websocket, let reserved = RoutePattern.reservation(of: websocket) { throw fail("\(at).websocket", reserved) }
        var limits = Limits()
        if let node = map["limits"] {
            let l = try mapping(node, "\(at).limits")
            try checkKeys(l, "\(at).limits", allowed: ["timeout_ms", "memory_mb", "call_depth", "engine"])
            limits.timeoutMs = try l["timeout_ms"].map { try number($0, "\(at).limits.timeout_ms", .timeoutMs) }
            limits.memoryMB = try l["memory_mb"].map { try number($0, "\(at).limits.memory_mb", .memoryMB) }
            limits.callDepth = try l["call_depth"].map { try number($0, "\(at).limits.call_depth", .callDepth) }
            if let node = l["engine"] {
                let text = try scalar(node, "\(at).limits.engine")
                guard let engine = EngineChoice(rawValue: text) else {
                    throw fail("\(at).limits.engine", "`\(text)` is not an engine; use one of \(EngineChoice.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                limits.engine = engine
            }
        }
        let affinity = try map["affinity"].map { try strings($0, "\(at).affinity") } ?? []
        for (index, label) in affinity.enumerated() where !Names.isValidNodeName(label) {
            throw fail("\(at).affinity[\(index)]", "`\(label)` is not a node tag or name: 1 to 64 letters, digits, '.', ':', '_' or '-'")
        }
        return FunctionSpec(name: name, module: module, entry: entry, http: http, kv: kv, triggers: triggers,
                            calls: calls, callers: callers, websocket: websocket, limits: limits, affinity: affinity)
    }

    // MARK: - Node helpers

    /// The routes of a function, sequence or plan at `at`.
    func routes(_ node: Node?, _ at: String) throws -> [RoutePattern] {
        let texts = try node.map { try strings($0, "\(at).http") } ?? []
        return try texts.enumerated().map { index, text in try route(text, "\(at).http[\(index)]") }
    }

    func fail(_ at: String, _ problem: String) -> StratusError {
        .manifest(file, at.isEmpty ? problem : "\(at): \(problem)")
    }

    /// A mapping with string keys, in document order.
    func mapping(_ node: Node, _ at: String) throws -> KeyValuePairs {
        guard case .mapping(let m) = node else { throw fail(at, "expected a mapping of `key: value` lines") }
        var pairs: [(String, Node)] = []
        var seen: Set<String> = []
        for (k, v) in m {
            guard case .scalar(let s) = k else { throw fail(at, "keys must be plain text") }
            guard seen.insert(s.string).inserted else { throw fail(at, "key `\(s.string)` appears twice") }
            pairs.append((s.string, v))
        }
        return KeyValuePairs(pairs: pairs)
    }

    private func keyPattern(_ text: String, _ at: String) throws -> KeyPattern {
        let parsed: Result<KeyPattern, StratusError> = Result { () throws(StratusError) in try KeyPattern(parsing: text) }
        switch parsed {
        case .success(let pattern): return pattern
        case .failure(let error): throw fail(at, error.message)
        }
    }

    private func route(_ text: String, _ at: String) throws -> RoutePattern {
        let parsed: Result<RoutePattern, StratusError> = Result { () throws(StratusError) in try RoutePattern(parsing: text) }
        switch parsed {
        case .success(let route): return route
        case .failure(let error): throw fail(at, error.message)
        }
    }

    func checkKeys(_ map: KeyValuePairs, _ at: String, allowed: [String]) throws {
        for (key, _) in map where !allowed.contains(key) {
            throw fail(at, "unknown key `\(key)`; known keys here: \(allowed.joined(separator: ", "))")
        }
    }

    func scalar(_ node: Node, _ at: String) throws -> String {
        guard case .scalar(let s) = node else { throw fail(at, "expected a single value") }
        return s.string
    }

    func strings(_ node: Node, _ at: String) throws -> [String] {
        if case .scalar(let s) = node { return [s.string] }
        guard case .sequence(let items) = node else { throw fail(at, "expected a list") }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            result.append(try scalar(item, "\(at)[\(index)]"))
        }
        return result
    }

    /// A number in `allowed`, else a failure naming the key and the range.
    func number(_ node: Node, _ at: String, _ allowed: SettingRange) throws -> Int {
        switch allowed.parse(try scalar(node, at)) {
        case .success(let value): return value
        case .failure(let problem): throw fail(at, problem.message)
        }
    }

    private func checkRelativePath(_ path: String, _ at: String) throws {
        let parts = path.split(separator: "/")
        guard !path.isEmpty, !path.hasPrefix("/"), !parts.contains(".."), !parts.contains(".") else {
            throw fail(at, "`\(path)` must be a folder inside the app folder (relative, without . or ..)")
        }
    }
}

/// Mapping entries in document order.
struct KeyValuePairs: Sequence {
    var pairs: [(String, Node)]
    var isEmpty: Bool { pairs.isEmpty }
    subscript(key: String) -> Node? { pairs.first { $0.0 == key }?.1 }
    func makeIterator() -> IndexingIterator<[(String, Node)]> { pairs.makeIterator() }
}
