import Foundation
import StratusRuntime
import StratusStore

/// `POST /_stratus/apps`: an app folder's manifest and files (base64).
public struct DeployRequest: Codable, Sendable {
    public var manifest: String
    public var files: [String: String]

    public init(manifest: String, files: [String: [UInt8]]) {
        self.manifest = manifest
        self.files = files.mapValues { Data($0).base64EncodedString() }
    }
}

/// An app as the admin API shows it.
public struct AppSummary: Codable, Sendable {
    public struct Function: Codable, Sendable {
        public var name: String
        public var module: String
        public var sha256: String
        public var entry: String
        /// The engine that runs it on this server: `wasmtime` or `wasmkit`.
        public var engine: String
        public var routes: [String]
    }
    public struct Sequence: Codable, Sendable {
        public var name: String
        public var steps: [String]
        public var routes: [String]
    }
    public struct Plan: Codable, Sendable {
        public var name: String
        public var map: String
        public var reduce: String
        /// `lines N`, `bytes N` or `function NAME`.
        public var split: String
        public var parallelism: Int?
        public var routes: [String]
    }
    public var app: String
    public var version: Int
    public var deployedAt: Date
    public var functions: [Function]
    public var sequences: [Sequence]
    public var plans: [Plan]

    init(_ app: DeployedApp) {
        self.app = app.name
        version = app.record.version
        deployedAt = app.record.deployedAt
        functions = app.manifest.functions.map { f in
            let module = app.module(for: f.name)
            return Function(name: f.name, module: f.module, sha256: module?.sha256 ?? "", entry: module?.entry.name ?? "",
                            engine: module?.engine.rawValue ?? "", routes: f.http.map(\.description))
        }
        sequences = app.manifest.sequences.map { Sequence(name: $0.name, steps: $0.steps, routes: $0.http.map(\.description)) }
        plans = app.manifest.plans.map { p in
            let split = switch p.split {
            case .lines(let n): "lines \(n)"
            case .bytes(let n): "bytes \(n)"
            case .function(let name): "function \(name)"
            }
            return Plan(name: p.name, map: p.map, reduce: p.reduce, split: split, parallelism: p.parallelism,
                        routes: p.http.map(\.description))
        }
    }

    enum CodingKeys: String, CodingKey {
        case app, version, functions, sequences, plans
        case deployedAt = "deployed_at"
    }
}

/// `GET /_stratus/apps`.
public struct AppList: Codable, Sendable {
    public var apps: [AppSummary]
}

/// `GET /_stratus/apps/APP/kv`: keys in order with their values (as text when they are UTF-8).
public struct KVList: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var key: String
        public var size: Int
        public var value: String?
        public var valueBase64: String

        enum CodingKeys: String, CodingKey {
            case key, size, value
            case valueBase64 = "value_base64"
        }
    }
    public var items: [Item]
    /// Pass as `after` for the next page; absent on the last page.
    public var next: String?

    init(pairs: [KVPair], limit: Int) {
        items = pairs.map { pair in
            Item(key: String(decoding: pair.key, as: UTF8.self), size: pair.value.count,
                 value: String(validating: pair.value, as: UTF8.self), valueBase64: Data(pair.value).base64EncodedString())
        }
        next = pairs.count == limit ? items.last?.key : nil
    }
}

/// `GET /_stratus/dead-letters`: events that failed every attempt.
public struct DeadLetterList: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var id: Int64
        public var app: String
        public var function: String
        public var trigger: String
        public var key: String?
        public var op: String?
        public var attempts: Int
        public var error: String?
        public var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, app, function, trigger, key, op, attempts, error
            case createdAt = "created_at"
        }
    }
    public var deadLetters: [Item]

    init(events: [EventRecord]) {
        deadLetters = events.map { event in
            Item(id: event.id, app: event.app, function: event.function, trigger: event.kind.rawValue,
                 key: event.key.map { String(decoding: $0, as: UTF8.self) }, op: event.op, attempts: event.attempts,
                 error: event.lastError, createdAt: event.createdAt)
        }
    }

    enum CodingKeys: String, CodingKey {
        case deadLetters = "dead_letters"
    }
}

/// `GET /_stratus/nodes`: the live nodes of the cluster (one without a shared store).
public struct NodeList: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var name: String
        public var address: String
        public var tags: [String]
        public var weight: Double
        public var load: Int
        public var startedAt: Date
        public var heartbeatAt: Date
        /// The node that answered.
        public var this: Bool

        enum CodingKeys: String, CodingKey {
            case name, address, tags, weight, load, this
            case startedAt = "started_at"
            case heartbeatAt = "heartbeat_at"
        }
    }
    public var nodes: [Item]

    init(_ nodes: [NodeRecord], this: String) {
        self.nodes = nodes.map { node in
            Item(name: node.name, address: node.address, tags: node.tags, weight: node.weight, load: node.load,
                 startedAt: node.startedAt, heartbeatAt: node.heartbeatAt, this: node.name == this)
        }
    }
}

enum AdminJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// What is wrong with a body that did not decode, in the body's own terms (a key path and
    /// what it lacks), not the decoder's type names.
    static func problem(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the body" : "`" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "`"
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?: return "\(path(context.codingPath)) has the wrong type"
        default: return "it is not valid JSON"
        }
    }
}

/// `GET /_stratus/logs`: recent invocations, oldest first, and the newest record's number
/// (pass it as `after` to hear only of later ones).
public struct InvocationList: Codable, Sendable {
    public var invocations: [InvocationRecord]
    public var latest: Int64
}
