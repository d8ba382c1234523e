import Yams

/// The `sequences:` and `plans:` sections of a manifest.
extension ManifestParser {
    func sequences(_ node: Node, functions: [FunctionSpec]) throws -> [SequenceSpec] {
        var sequences: [SequenceSpec] = []
        for (name, node) in try mapping(node, "sequences") {
            let at = "sequences.\(name)"
            try checkName(name, at, taken: functions.map(\.name))
            let map = try mapping(node, at)
            try checkKeys(map, at, allowed: ["steps", "http"])
            guard let stepsNode = map["steps"] else { throw fail(at, "missing `steps:` (the functions to run, in order)") }
            let steps = try strings(stepsNode, "\(at).steps")
            guard !steps.isEmpty else { throw fail("\(at).steps", "a sequence needs at least one step") }
            for (index, step) in steps.enumerated() {
                try checkFunction(step, "\(at).steps[\(index)]", functions)
            }
            sequences.append(SequenceSpec(name: name, steps: steps, http: try routes(map["http"], at)))
        }
        return sequences.sorted { $0.name < $1.name }
    }

    func plans(_ node: Node, functions: [FunctionSpec], sequences: [SequenceSpec]) throws -> [PlanSpec] {
        var plans: [PlanSpec] = []
        for (name, node) in try mapping(node, "plans") {
            let at = "plans.\(name)"
            try checkName(name, at, taken: functions.map(\.name) + sequences.map(\.name))
            let map = try mapping(node, at)
            try checkKeys(map, at, allowed: ["map", "reduce", "split", "parallelism", "http"])
            func role(_ key: String, _ what: String) throws -> String {
                guard let node = map[key] else { throw fail(at, "missing `\(key):` (\(what))") }
                let function = try scalar(node, "\(at).\(key)")
                try checkFunction(function, "\(at).\(key)", functions)
                return function
            }
            let mapFunction = try role("map", "the function run on each part")
            let reduceFunction = try role("reduce", "the function that receives the map outputs")
            guard let splitNode = map["split"] else {
                throw fail(at, "missing `split:`; use `lines: N`, `bytes: N` or `function: NAME`")
            }
            let rule = try mapping(splitNode, "\(at).split")
            guard rule.pairs.count == 1, let (kind, value) = rule.pairs.first else {
                throw fail("\(at).split", "give exactly one of `lines: N`, `bytes: N` or `function: NAME`")
            }
            let split: PlanSpec.Split
            switch kind {
            case "lines": split = .lines(try number(value, "\(at).split.lines", .splitLines))
            case "bytes": split = .bytes(try number(value, "\(at).split.bytes", .splitBytes))
            case "function":
                let function = try scalar(value, "\(at).split.function")
                try checkFunction(function, "\(at).split.function", functions)
                split = .function(function)
            default: throw fail("\(at).split", "unknown way to split `\(kind)`; use `lines: N`, `bytes: N` or `function: NAME`")
            }
            let parallelism = try map["parallelism"].map { try number($0, "\(at).parallelism", .parallelism) }
            plans.append(PlanSpec(name: name, map: mapFunction, reduce: reduceFunction, split: split,
                                  parallelism: parallelism, http: try routes(map["http"], at)))
        }
        return plans.sorted { $0.name < $1.name }
    }

    /// `filters:`: a list of `{function: NAME, before: [NAMES]}`, run in that order.
    func filters(_ node: Node, _ manifest: AppManifest) throws -> [FilterSpec] {
        guard case .sequence(let items) = node else { throw fail("filters", "expected a list of `- function: NAME` entries") }
        return try items.enumerated().map { index, item in
            let at = "filters[\(index)]"
            let map = try mapping(item, at)
            try checkKeys(map, at, allowed: ["function", "before"])
            guard let functionNode = map["function"] else { throw fail(at, "missing `function:` (the filter function)") }
            let function = try scalar(functionNode, "\(at).function")
            try checkFunction(function, "\(at).function", manifest.functions)
            let before = try map["before"].map { try strings($0, "\(at).before") } ?? []
            for (position, name) in before.enumerated() {
                guard manifest.callable(named: name) != nil, name != function else {
                    throw fail("\(at).before[\(position)]", "`\(name)` is not a function, sequence or plan of this app other than the filter itself")
                }
            }
            return FilterSpec(function: function, before: before)
        }
    }

    /// What a name of the manifest is, for messages: `function`, `sequence` or `plan`.
    func kind(of name: String, in manifest: AppManifest) -> String {
        switch manifest.callable(named: name) {
        case .sequence: "sequence"
        case .plan: "plan"
        default: "function"
        }
    }

    private func checkName(_ name: String, _ at: String, taken: [String]) throws {
        guard Names.isValidFunction(name) else {
            throw fail(at, "`\(name)` is not a valid name: use [A-Za-z0-9_-], 1 to 63 characters")
        }
        guard !taken.contains(name) else {
            throw fail(at, "`\(name)` is already the name of a function or sequence of this app; names must differ")
        }
    }

    private func checkFunction(_ name: String, _ at: String, _ functions: [FunctionSpec]) throws {
        guard functions.contains(where: { $0.name == name }) else {
            throw fail(at, "`\(name)` is not a function of this app; it has \(functions.map(\.name).joined(separator: ", "))")
        }
    }
}
