import Foundation
import Hummingbird
import StratusModel
import StratusStore
import StratusRuntime

/// The admin API under `/_stratus/`, described by `/_stratus/openapi.yaml`. Every call but the
/// health check, the page, the OpenAPI document and the nodes' internal endpoint (which has a
/// secret of its own) needs `Authorization: Bearer TOKEN`.
struct AdminAPI: Sendable {
    let platform: Platform
    let settings: HTTPSettings

    func respond(to request: Request, path: String) async throws -> Response {
        let parts = path.split(separator: "/").dropFirst().map(String.init)
        let method = request.method
        switch (method, parts) {
        case (.get, ["health"]):
            if let problem = platform.store.problem { return Self.unhealthy(problem) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: Self.healthy))
        case (.get, ["ui"]):
            // The page signs in by itself; what it reads needs the token. Nothing may load from elsewhere.
            return Response(status: .ok, headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
                .cacheControl: "no-store",
            ], body: ResponseBody(byteBuffer: ByteBuffer(bytes: WebUI.html.utf8)))
        case (.post, ["internal", "invoke"]):
            return try await InternalAPI(platform: platform, settings: settings).invoke(request)
        case (.post, ["internal", "ws"]):
            return try await InternalAPI(platform: platform, settings: settings).webSocket(request)
        case (.get, ["openapi.yaml"]):
            return Response(status: .ok, headers: [.contentType: "application/yaml"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.yaml.utf8)))
        default:
            break
        }
        try authorize(request)
        switch (method, parts) {
        case (.get, ["apps"]):
            return try json(AppList(apps: platform.apps.map(AppSummary.init)))
        case (.post, ["apps"]):
            let body = try await BodyReader.collect(request, limit: settings.adminBodyLimit)
            let upload: DeployRequest
            do {
                upload = try AdminJSON.decoder.decode(DeployRequest.self, from: Data(buffer: body))
            } catch {
                throw StratusError(.badRequest, code: "bad_json",
                                   "the body must be JSON {\"manifest\": TEXT, \"files\": {PATH: BASE64}}; \(AdminJSON.problem(error))")
            }
            var files: [String: [UInt8]] = [:]
            for (path, text) in upload.files {
                guard let data = Data(base64Encoded: text) else {
                    throw StratusError(.badRequest, code: "bad_json", "file `\(path)` is not valid base64")
                }
                files[path] = [UInt8](data)
            }
            let deployed = try await platform.deploy(AppBundle(manifest: upload.manifest, files: files))
            return try json(AppSummary(deployed), status: .created)
        case (.get, _) where Self.matches(["apps", "*"], parts):
            guard let app = platform.app(named: parts[1]) else { throw StratusError.appNotFound(parts[1]) }
            return try json(AppSummary(app))
        case (.delete, _) where Self.matches(["apps", "*"], parts):
            try await platform.delete(app: parts[1])
            return Response(status: .noContent)
        case (.get, _) where Self.matches(["apps", "*", "kv"], parts):
            let query = request.uri.queryParameters
            let limit = query["limit"].map { Int(String($0)) ?? 0 } ?? 100
            guard (1...10_000).contains(limit) else {
                throw StratusError(.badRequest, code: "bad_limit", "`limit` must be a whole number from 1 to 10000; page with `after` for more")
            }
            let pairs = try await platform.kvList(app: parts[1], prefix: query["prefix"].map(String.init) ?? "",
                                                  after: query["after"].map(String.init), limit: limit)
            return try json(KVList(pairs: pairs, limit: limit))
        case (_, _) where parts.count >= 4 && parts[0] == "apps" && parts[2] == "kv":
            return try await kvKey(request, app: parts[1], key: Self.key(in: path))
        case (.post, _) where Self.matches(["apps", "*", "functions", "*", "spawn"], parts):
            let body = try await BodyReader.collect(request, limit: settings.bodyLimit)
            let id = try await platform.spawn(app: parts[1], function: parts[3], input: Array(buffer: body))
            return try json(["event": id], status: .accepted)
        case (.get, ["dead-letters"]):
            let app = request.uri.queryParameters["app"].map(String.init)
            return try json(DeadLetterList(events: try await platform.deadLetters(app: app)))
        case (.post, _) where Self.matches(["dead-letters", "*", "replay"], parts):
            guard let id = Int64(parts[1]) else {
                throw StratusError(.badRequest, code: "bad_id", "`\(parts[1])` is not a dead letter id; `stratus dead-letters` lists them")
            }
            try await platform.replayDeadLetter(id: id)
            return Response(status: .accepted)
        case (.get, ["logs"]):
            return try await logs(request.uri.queryParameters)
        case (.get, ["nodes"]):
            return try json(NodeList(try await platform.cluster.nodes(), this: platform.cluster.node.name))
        case (.get, ["backup"]):
            return try await BackupAPI(platform: platform, settings: settings).backup()
        case (.post, ["restore"]):
            return try await BackupAPI(platform: platform, settings: settings).restore(request)
        case (.post, _) where Self.matches(["apps", "*", "functions", "*", "invoke"], parts):
            let (app, function) = (parts[1], parts[3])
            let body = try await BodyReader.collect(request, limit: settings.bodyLimit)
            let output = try await platform.invoke(app: app, function: function, input: Array(buffer: body), trigger: "call")
            return StratusResponder.response(output)
        default:
            let allowed = Self.endpoints.filter { Self.matches($0.pattern, parts) }.map(\.method)
            guard allowed.isEmpty else {
                return ErrorResponse.make(
                    StratusError(.methodNotAllowed, code: "method_not_allowed",
                                 "\(path) does not accept \(method.rawValue); it accepts \(allowed.joined(separator: ", "))"),
                    headers: [.allow: allowed.joined(separator: ", ")])
            }
            throw StratusError(.notFound, code: "not_found", "no admin endpoint \(method.rawValue) \(path); see /_stratus/openapi.yaml")
        }
    }

    /// `GET /_stratus/logs`: recent invocations, oldest first; with `wait`, held open until one
    /// after `after` arrives (for `stratus logs --follow`).
    private func logs(_ query: Parameters) async throws -> Response {
        func number(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = query[Substring(name)] else { return nil }
            guard let value = Int(String(text)), range.contains(value) else {
                throw StratusError(.badRequest, code: "bad_\(name)", "`\(name)` must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        let app = query["app"].map(String.init), function = query["function"].map(String.init)
        let limit = try number("limit", 1...1000) ?? 100
        let after = try number("after", 0...Int.max).map(Int64.init)
        let log = platform.invocations
        var records = log.records(app: app, function: function, after: after, limit: limit)
        if records.isEmpty, let wait = try number("wait", 0...60), wait > 0 {
            // Woken by any new record; one of another app means another look, until the wait ends.
            let end = ContinuousClock.now + .seconds(wait)
            var seen = after ?? log.latest
            while records.isEmpty && ContinuousClock.now < end {
                guard await log.wait(after: seen, timeout: end - .now) else { break }
                seen = max(seen, log.latest)
                records = log.records(app: app, function: function, after: after, limit: limit)
            }
        }
        return try json(InvocationList(invocations: records, latest: log.latest))
    }

    /// `GET`, `PUT` and `DELETE /_stratus/apps/APP/kv/KEY`: the value is the raw body.
    private func kvKey(_ request: Request, app: String, key: String) async throws -> Response {
        switch request.method {
        case .get:
            let value = try await platform.kvGet(app: app, key: key)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value)))
        case .put:
            let body = try await BodyReader.collect(request, limit: settings.bodyLimit)
            try await platform.kvSet(app: app, key: key, value: Array(buffer: body))
            return Response(status: .noContent)
        case .delete:
            try await platform.kvDelete(app: app, key: key)
            return Response(status: .noContent)
        default:
            return ErrorResponse.make(
                StratusError(.methodNotAllowed, code: "method_not_allowed", "a key accepts GET, PUT and DELETE"),
                headers: [.allow: "GET, PUT, DELETE"])
        }
    }

    /// The key of `/_stratus/apps/APP/kv/KEY`: the rest of the path, which may hold `/`, percent-decoded.
    private static func key(in path: String) -> String {
        // "", "_stratus", "apps", APP, "kv", KEY
        let parts = path.split(separator: "/", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 ? String(parts[5]).removingPercentEncodingOrSelf : ""
    }

    private func authorize(_ request: Request) throws {
        guard BearerToken.matches(request, settings.adminToken) else {
            throw StratusError(.unauthorized, code: "unauthorized",
                               "missing or wrong admin token: send `Authorization: Bearer TOKEN` (the CLI reads --token or STRATUS_TOKEN)")
        }
    }

    private func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: try AdminJSON.encoder.encode(value))))
    }

    /// The health check's answer, encoded once: load balancers ask often.
    private static let healthy = ByteBuffer(string: #"{"status":"ok"}"#)

    /// 503 with what is wrong, so a load balancer takes the node out and an operator reads why.
    private static func unhealthy(_ problem: StratusError) -> Response {
        struct Body: Encodable {
            struct Detail: Encodable { let code: String; let message: String }
            let status: String
            let error: Detail
        }
        let body = (try? AdminJSON.encoder.encode(Body(status: "unavailable", error: .init(code: problem.code, message: problem.message)))) ?? Data()
        return Response(status: .serviceUnavailable, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The endpoints above, for telling 405 from 404; `*` is one segment.
    private static let endpoints: [(method: String, pattern: [String])] = [
        ("GET", ["health"]), ("GET", ["openapi.yaml"]), ("GET", ["ui"]), ("GET", ["apps"]), ("POST", ["apps"]),
        ("GET", ["apps", "*"]), ("DELETE", ["apps", "*"]), ("POST", ["apps", "*", "functions", "*", "invoke"]),
        ("GET", ["apps", "*", "kv"]), ("POST", ["apps", "*", "functions", "*", "spawn"]),
        ("GET", ["dead-letters"]), ("POST", ["dead-letters", "*", "replay"]), ("GET", ["backup"]), ("POST", ["restore"]),
        ("GET", ["logs"]), ("GET", ["nodes"]), ("POST", ["internal", "invoke"]), ("POST", ["internal", "ws"]),
    ]

    private static func matches(_ pattern: [String], _ parts: [String]) -> Bool {
        pattern.count == parts.count && zip(pattern, parts).allSatisfy { $0 == "*" || $0 == $1 }
    }
}
