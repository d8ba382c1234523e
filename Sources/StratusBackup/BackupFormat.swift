import Foundation
import StratusStore

/// What a Stratus backup holds, entry by entry (a gzip-compressed ustar archive):
///
/// - `stratus-backup.json`: ``BackupHeader``, first, with the format version.
/// - `modules/SHA256.wasm`: each module binary, named by its hash.
/// - `apps/`, `kv/`, `events/` and `schedules/NNNNNN.jsonl`: one JSON record a line
///   (``BackupRecord``), in files of about 4 MiB.
/// - `stratus-backup-end.json`: ``BackupTrailer``, last: every entry's sha256 and the counts,
///   so a truncated or altered archive is refused before anything is restored.
public enum BackupFormat {
    /// The version this build writes and reads. Raise it when the records change.
    public static let version = 1
    static let headerName = "stratus-backup.json"
    static let trailerName = "stratus-backup-end.json"
    static let chunkBytes = 4 << 20
    /// The most one entry may hold, checked when writing and before reading one: a restore
    /// holds one entry in memory at a time. Above any module or record line Stratus keeps.
    static let maxEntryBytes = 256 << 20

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}

struct BackupHeader: Codable {
    var format: Int
    var createdAt: Date
    /// The Stratus that wrote it, for people reading the archive.
    var writer: String
}

/// How many of each kind a backup holds.
public struct BackupCounts: Codable, Sendable, Equatable {
    public var modules = 0
    public var apps = 0
    public var keys = 0
    public var events = 0
    public var schedules = 0

    public init() {}

    mutating func count(_ item: StateItem) {
        switch item {
        case .module: modules += 1
        case .app: apps += 1
        case .kv: keys += 1
        case .event: events += 1
        case .schedule: schedules += 1
        }
    }

    /// "2 apps, 3 modules, 1,204 keys, 5 events, 1 schedule"
    public var summary: String {
        [(apps, "app"), (modules, "module"), (keys, "key"), (events, "event"), (schedules, "schedule")]
            .map { "\($0.0.formatted()) \($0.1)\($0.0 == 1 ? "" : "s")" }.joined(separator: ", ")
    }
}

struct BackupTrailer: Codable {
    /// Entry name → sha256 of its content, every entry but the header and this one.
    var entries: [String: String]
    var counts: BackupCounts
}

/// One line of a `.jsonl` entry. Binary keys and values are base64 (JSON's `Data`).
enum BackupRecord {
    struct App: Codable {
        var name: String
        var version: Int
        var manifest: String
        var modules: [String: String]
        var deployedAt: Date
        var routes: [Route]
    }

    struct Route: Codable {
        var method: String
        var shape: String
        var text: String
    }

    struct Pair: Codable {
        var app: String
        var key: Data
        var value: Data
    }

    struct Event: Codable {
        var id: Int64
        var app: String
        var function: String
        var kind: EventKind
        var key: Data?
        var op: String?
        var payload: Data
        var attempts: Int
        var lastError: String?
        var createdAt: Date
        var notBefore: Date
        var dead: Bool
    }

    struct Schedule: Codable {
        var app: String
        var function: String
        var expression: String
        var nextRun: Date
    }

    /// The line for an item (modules are entries of their own, not lines).
    static func line(for item: StateItem) throws -> [UInt8]? {
        let value: any Encodable
        switch item {
        case .module:
            return nil
        case .app(let app, let routes):
            value = App(name: app.name, version: app.version, manifest: app.manifest, modules: app.files, deployedAt: app.deployedAt,
                        routes: routes.map { Route(method: $0.method, shape: $0.shape, text: $0.text) })
        case .kv(let app, let pair):
            value = Pair(app: app, key: Data(pair.key), value: Data(pair.value))
        case .event(let event, let notBefore, let dead):
            value = Event(id: event.id, app: event.app, function: event.function, kind: event.kind, key: event.key.map { Data($0) },
                          op: event.op, payload: Data(event.payload), attempts: event.attempts, lastError: event.lastError,
                          createdAt: event.createdAt, notBefore: notBefore, dead: dead)
        case .schedule(let schedule):
            value = Schedule(app: schedule.app, function: schedule.function, expression: schedule.expression, nextRun: schedule.nextRun)
        }
        return Array(try BackupFormat.encoder.encode(value)) + [0x0A]
    }

    /// The item of a line in an entry whose name says its kind (`apps`, `kv`, `events`, `schedules`).
    static func item(kind: String, line: ArraySlice<UInt8>) throws -> StateItem {
        let data = Data(line)
        let decoder = BackupFormat.decoder
        switch kind {
        case "apps":
            let app = try decoder.decode(App.self, from: data)
            return .app(AppRecord(name: app.name, version: app.version, manifest: app.manifest, files: app.modules, deployedAt: app.deployedAt),
                        routes: app.routes.map { RouteClaim(method: $0.method, shape: $0.shape, text: $0.text) })
        case "kv":
            let pair = try decoder.decode(Pair.self, from: data)
            return .kv(app: pair.app, pair: KVPair(key: [UInt8](pair.key), value: [UInt8](pair.value)))
        case "events":
            let event = try decoder.decode(Event.self, from: data)
            return .event(EventRecord(id: event.id, app: event.app, function: event.function, kind: event.kind, key: event.key.map { [UInt8]($0) },
                                      op: event.op, payload: [UInt8](event.payload), attempts: event.attempts, lastError: event.lastError,
                                      createdAt: event.createdAt),
                          notBefore: event.notBefore, dead: event.dead)
        case "schedules":
            let schedule = try decoder.decode(Schedule.self, from: data)
            return .schedule(ScheduleRecord(app: schedule.app, function: schedule.function, expression: schedule.expression, nextRun: schedule.nextRun))
        default:
            throw BackupError.corrupt("it holds an entry of an unknown kind, `\(kind)`")
        }
    }

    /// The folder of the entries that hold an item's kind.
    static func kind(of item: StateItem) -> String {
        switch item {
        case .module: "modules"
        case .app: "apps"
        case .kv: "kv"
        case .event: "events"
        case .schedule: "schedules"
        }
    }
}
