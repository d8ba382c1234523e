import Foundation
import Hummingbird
import StratusEngine
import StratusModel
import StratusRuntime

/// Answers every request: the admin API under `/_stratus/`, else the public routes of the
/// deployed apps. Guest code runs on the platform's worker pool; this only awaits it.
public struct StratusResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let platform: Platform
    let settings: HTTPSettings
    let admin: AdminAPI
    let metrics: MetricsExporter

    public init(platform: Platform, settings: HTTPSettings, metrics: MetricsExporter) {
        self.platform = platform
        self.settings = settings
        self.admin = AdminAPI(platform: platform, settings: settings)
        self.metrics = metrics
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        do {
            let path = request.uri.path
            if path == "/_stratus" || path.hasPrefix("/_stratus/") {
                return try await admin.respond(to: request, path: path)
            }
            if path == "/metrics" && (request.method == .get || request.method == .head) {
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: await metrics.render(platform))))
            }
            return try await servePublic(request, path: path)
        } catch let failure as InvocationFailure {
            return ErrorResponse.make(failure.error)
        } catch {
            return ErrorResponse.make(ErrorResponse.stratusError(error))
        }
    }

    private func servePublic(_ request: Request, path: String) async throws -> Response {
        let method = request.method.rawValue
        switch platform.lookup(method: method, path: path) {
        case .notFound:
            throw StratusError(.notFound, code: "route_not_found", "no route matches \(method) \(path); `stratus apps` lists the deployed routes")
        case .methodNotAllowed(let allowed):
            return ErrorResponse.make(
                StratusError(.methodNotAllowed, code: "method_not_allowed", "\(path) does not accept \(method); it accepts \(allowed.joined(separator: ", "))"),
                headers: [.allow: allowed.joined(separator: ", ")])
        case .found(let match) where match.folder != nil:
            return try await StaticResponder(platform: platform).respond(request, path: path, app: match.app, folder: match.folder!,
                                                                         rest: match.parameters["path"] ?? "")
        case .found(let match):
            // Checked here first: awaiting even an async call that returns at once switches the task.
            let body = BodyReader.hasNone(request) ? ByteBuffer() : try await BodyReader.collect(request, limit: settings.bodyLimit)
            var context: [String: String] = [:]
            // Reserved at once rather than grown: the values below, and `trigger`, which the platform adds.
            context.reserveCapacity(request.headers.count + match.parameters.count + 4)
            context["method"] = method
            context["path"] = path
            context["query"] = request.uri.query ?? ""
            for field in request.headers {
                let key = "header." + field.name.canonicalName
                context[key] = context[key].map { "\($0), \(field.value)" } ?? field.value
            }
            for (name, value) in match.parameters { context["param." + name] = value }
            let output = try await platform.invokeHTTP(app: match.app, function: match.function, input: Array(buffer: body),
                                                       context: consume context)
            return Self.response(output, headOnly: request.method == .head)
        }
    }

    /// A guest's output as an HTTP response.
    static func response(_ output: InvocationOutput, headOnly: Bool = false) -> Response {
        var headers = HTTPFields()
        // With room for what the server adds (content-length and date), which grew it otherwise.
        headers.reserveCapacity(output.headers.count + 2)
        for header in output.headers {
            guard let name = HTTPFields.Element.Name(header.name) else { continue }
            headers.append(.init(name: name, value: header.value))
        }
        return Response(status: .init(code: output.status), headers: headers,
                        body: headOnly ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: output.body)))
    }
}
