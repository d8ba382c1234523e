/// A public route, `METHOD /path`, where `:name` matches one segment and a final `*name` the rest.
public struct RoutePattern: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
        case wildcard(String)
    }

    public static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    public let method: String
    public let segments: [Segment]

    /// Parses `GET /hello/:name`; the error says what is wrong with the text.
    /// Why `path` cannot be an app's (a route's, a WebSocket's), or nil when it can.
    public static func reservation(of path: String) -> String? {
        if path.hasPrefix("/_stratus") {
            return "paths under /_stratus are reserved for the admin API"
        }
        if path == "/metrics" { return "/metrics is reserved for the platform's Prometheus metrics" }
        return nil
    }

    public init(parsing text: String) throws(StratusError) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw Self.invalid(text, "write it as `METHOD /path`, for example `GET /hello/:name`")
        }
        let method = String(parts[0]).uppercased()
        guard Self.methods.contains(method) else {
            throw Self.invalid(text, "unknown method \(parts[0]); use one of \(Self.methods.sorted().joined(separator: ", "))")
        }
        let path = String(parts[1])
        guard path.hasPrefix("/") else { throw Self.invalid(text, "the path must start with /") }
        if let reserved = Self.reservation(of: path) { throw Self.invalid(text, reserved) }
        var segments: [Segment] = []
        var names: Set<String> = []
        let raw = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (index, piece) in raw.enumerated() {
            let piece = String(piece)
            if piece.isEmpty {
                // Only `/` itself (no segments) or a trailing slash is allowed.
                if raw.count == 1 { break }
                throw Self.invalid(text, "empty path segment (a doubled or trailing /)")
            }
            if piece.hasPrefix(":") || piece.hasPrefix("*") {
                let name = String(piece.dropFirst())
                guard Names.isValidVariable(name) else {
                    throw Self.invalid(text, "parameter name `\(name)` must be 1 to 63 of [A-Za-z0-9_]")
                }
                guard names.insert(name).inserted else { throw Self.invalid(text, "parameter `\(name)` appears twice") }
                if piece.hasPrefix("*") {
                    guard index == raw.count - 1 else { throw Self.invalid(text, "`*\(name)` must be the last segment") }
                    segments.append(.wildcard(name))
                } else {
                    segments.append(.parameter(name))
                }
            } else {
                guard piece.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != 0x3F && $0 != 0x23 }) else {
                    throw Self.invalid(text, "segment `\(piece)` has a space, control character, ? or #")
                }
                segments.append(.literal(piece))
            }
        }
        self.method = method
        self.segments = segments
    }

    /// The route with parameter names erased: two routes with the same shape match the same requests.
    public var shape: String {
        "/" + segments.map {
            switch $0 {
            case .literal(let s): s
            case .parameter: ":"
            case .wildcard: "*"
            }
        }.joined(separator: "/")
    }

    public var path: String {
        "/" + segments.map {
            switch $0 {
            case .literal(let s): s
            case .parameter(let n): ":" + n
            case .wildcard(let n): "*" + n
            }
        }.joined(separator: "/")
    }

    public var description: String { "\(method) \(path)" }

    private static func invalid(_ text: String, _ why: String) -> StratusError {
        StratusError(.badRequest, code: "route_invalid", "route `\(text)`: \(why)")
    }
}
