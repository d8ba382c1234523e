import StratusEngine
import StratusModel

/// HTTP requests pass the app's request filters before its function runs.
extension Platform {
    /// The prefix of a filter's response headers that become context values of the function.
    static let filterContextPrefix = "stratus-context-"

    /// Runs the filters guarding `function` in order, then the function. A filter lets the
    /// request through by answering 200 with an empty body, and each of its response headers
    /// `Stratus-Context-NAME: VALUE` becomes `ctx("filter.NAME")` for what runs after it; any
    /// other answer is the response, and the function does not run. A filter that fails fails
    /// the request (closed, not open).
    public func invokeHTTP(app appName: String, function name: String, input: [UInt8],
                           context: consuming [String: String]) async throws -> InvocationOutput {
        var context = context
        for filter in app(named: appName)?.manifest.filters ?? [] where filter.guards(name) {
            let verdict = try await invoke(app: appName, function: filter.function, input: input, trigger: "http", context: context)
            guard verdict.status == 200, verdict.body.isEmpty else { return verdict }
            for header in verdict.headers where header.name.lowercased().hasPrefix(Self.filterContextPrefix) {
                context["filter." + header.name.lowercased().dropFirst(Self.filterContextPrefix.count)] = header.value
            }
        }
        context["trigger"] = "http"
        return try await invoke(app: appName, function: name, input: input, context: consume context, at: Position(depth: 0, deadline: nil))
    }
}
