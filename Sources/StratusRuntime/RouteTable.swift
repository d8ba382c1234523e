import StratusModel

/// Where a request goes: the app and function of the route it matched and its parameters, or
/// the app's static folder that serves it (then `function` is empty and `parameters["path"]` is
/// the file's path in the folder).
public struct RouteMatch: Sendable, Equatable {
    public var app: String
    public var function: String
    public var route: RoutePattern
    public var parameters: [String: String]
    public var folder: String? = nil
}

/// The public routes of all deployed apps, as a tree of path segments. Literal segments win
/// over `:name`, and `:name` over `*name`, whatever the order the routes were declared in.
public struct RouteTable: Sendable {
    public enum Lookup: Sendable, Equatable {
        case found(RouteMatch)
        /// The path exists, but not for this method.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private struct Target: Sendable {
        var app: String
        var function: String
        var route: RoutePattern
        var folder: String?
    }

    private final class Node: @unchecked Sendable {
        // Built once, then only read: safe to share.
        var literals: [String: Node] = [:]
        var parameter: Node?
        var wildcard: Node?
        var targets: [String: Target] = [:]

        /// The target for `method`; a GET route answers HEAD too.
        func target(_ method: String) -> Target? {
            targets[method] ?? (method == "HEAD" ? targets["GET"] : nil)
        }
    }

    private let root = Node()

    /// The routes of functions, and the static folders (`GET PREFIX/*path`) of the apps.
    public init(_ routes: [(route: RoutePattern, app: String, function: String)] = [],
                statics: [(mount: StaticMount, app: String)] = []) {
        let targets = routes.map { Target(app: $0.app, function: $0.function, route: $0.route) }
            + statics.map { Target(app: $0.app, function: "", route: $0.mount.route, folder: $0.mount.folder) }
        for target in targets {
            var node = root
            for segment in target.route.segments {
                switch segment {
                case .literal(let text):
                    if node.literals[text] == nil { node.literals[text] = Node() }
                    node = node.literals[text]!
                case .parameter:
                    if node.parameter == nil { node.parameter = Node() }
                    node = node.parameter!
                case .wildcard:
                    if node.wildcard == nil { node.wildcard = Node() }
                    node = node.wildcard!
                }
            }
            node.targets[target.route.method] = target
        }
    }

    /// Finds the route for `method` and a path (without its query).
    public func lookup(method: String, path: String) -> Lookup {
        var allowed: Set<String> = []
        var values: [Substring] = []
        // Methods nearly always come in capitals already; uppercasing allocates.
        let method = method.utf8.contains(where: { (0x61...0x7A).contains($0) }) ? method.uppercased() : method
        if let target = find(root, path[...], method: method, values: &values, allowed: &allowed) {
            var parameters: [String: String] = [:]
            var index = 0
            for segment in target.route.segments {
                switch segment {
                case .literal: continue
                case .parameter(let name), .wildcard(let name):
                    parameters[name] = String(values[index]).removingPercentEncodingOrSelf
                    index += 1
                }
            }
            return .found(RouteMatch(app: target.app, function: target.function, route: target.route, parameters: parameters,
                                     folder: target.folder))
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed.sorted())
    }

    /// The first segment of `path` and what follows it; empty segments do not count. Read
    /// one at a time rather than split into an array, which cost a tenth of a warm request.
    private static func firstSegment(_ path: Substring) -> (head: Substring, rest: Substring)? {
        let slash = UInt8(ascii: "/")
        let bytes = path.utf8
        guard let start = bytes.firstIndex(where: { $0 != slash }) else { return nil }
        let end = bytes[start...].firstIndex(of: slash) ?? bytes.endIndex
        return (path[start..<end], path[end...])
    }

    private func find(_ node: Node, _ path: Substring, method: String,
                      values: inout [Substring], allowed: inout Set<String>) -> Target? {
        guard let (head, rest) = Self.firstSegment(path) else {
            if let target = node.target(method) { return target }
            allowed.formUnion(node.targets.keys)
            // `*name` also matches an empty rest.
            if let wildcard = node.wildcard {
                values.append("")
                if let target = wildcard.target(method) { return target }
                allowed.formUnion(wildcard.targets.keys)
                values.removeLast()
            }
            return nil
        }
        if let next = node.literals[String(head)],
           let target = find(next, rest, method: method, values: &values, allowed: &allowed) {
            return target
        }
        if let next = node.parameter {
            values.append(head)
            if let target = find(next, rest, method: method, values: &values, allowed: &allowed) { return target }
            values.removeLast()
        }
        if let wildcard = node.wildcard {
            if let target = wildcard.target(method) {
                values.append(Substring(path.split(separator: "/").joined(separator: "/")))
                return target
            }
            allowed.formUnion(wildcard.targets.keys)
        }
        return nil
    }
}
