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
        // Methods nearly always come in capitals already; uppercasing allocates.
        let method = method.utf8.contains(where: { (0x61...0x7A).contains($0) }) ? method.uppercased() : method
        var path = path
        // Walked as bytes: splitting into an array of segments cost a tenth of a warm request.
        return path.withUTF8 { bytes in
            guard let target = find(root, bytes, from: 0, method: method, allowed: &allowed) else {
                return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed.sorted())
            }
            // The parameters' values, read along the route that matched.
            var parameters: [String: String] = [:]
            var from = 0
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            for segment in target.route.segments {
                let head = Self.segment(bytes, from: from) ?? bytes.count..<bytes.count
                from = head.upperBound
                switch segment {
                case .literal: continue
                case .parameter(let name): parameters[name] = text(head).removingPercentEncodingOrSelf
                // The rest of the path, its empty segments left out.
                case .wildcard(let name):
                    parameters[name] = text(head.lowerBound..<bytes.count).split(separator: "/").joined(separator: "/").removingPercentEncodingOrSelf
                }
            }
            return .found(RouteMatch(app: target.app, function: target.function, route: target.route, parameters: parameters,
                                     folder: target.folder))
        }
    }

    /// The byte range of the first segment of `bytes` at or after `from`; empty segments do not count.
    private static func segment(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Range<Int>? {
        let slash = UInt8(ascii: "/")
        var start = from
        while start < bytes.count, bytes[start] == slash { start += 1 }
        guard start < bytes.count else { return nil }
        var end = start
        while end < bytes.count, bytes[end] != slash { end += 1 }
        return start..<end
    }

    private func find(_ node: Node, _ bytes: UnsafeBufferPointer<UInt8>, from: Int, method: String, allowed: inout Set<String>) -> Target? {
        guard let head = Self.segment(bytes, from: from) else {
            if let target = node.target(method) { return target }
            allowed.formUnion(node.targets.keys)
            // `*name` also matches an empty rest.
            if let wildcard = node.wildcard {
                if let target = wildcard.target(method) { return target }
                allowed.formUnion(wildcard.targets.keys)
            }
            return nil
        }
        if let next = node.literals[String(decoding: UnsafeBufferPointer(rebasing: bytes[head]), as: UTF8.self)],
           let target = find(next, bytes, from: head.upperBound, method: method, allowed: &allowed) {
            return target
        }
        if let next = node.parameter, let target = find(next, bytes, from: head.upperBound, method: method, allowed: &allowed) {
            return target
        }
        if let wildcard = node.wildcard {
            if let target = wildcard.target(method) { return target }
            allowed.formUnion(wildcard.targets.keys)
        }
        return nil
    }
}
