import StratusModel
@testable import StratusRuntime
import Testing

@Suite struct RouteTableTests {
    private func table(_ routes: [(String, String)]) throws -> RouteTable {
        RouteTable(try routes.map { (route: try RoutePattern(parsing: $0.0), app: "app", function: $0.1) })
    }

    private func function(_ table: RouteTable, _ method: String, _ path: String) -> String? {
        if case .found(let match) = table.lookup(method: method, path: path) { return match.function }
        return nil
    }

    @Test func matchesLiteralsParametersAndWildcards() throws {
        let t = try table([("GET /hello/:name", "hello"), ("GET /files/*path", "files"), ("POST /hello", "post"), ("GET /", "root")])
        guard case .found(let match) = t.lookup(method: "GET", path: "/hello/Ada") else { Issue.record("no match"); return }
        #expect(match.function == "hello")
        #expect(match.parameters == ["name": "Ada"])
        guard case .found(let files) = t.lookup(method: "GET", path: "/files/a/b/c.txt") else { Issue.record("no match"); return }
        #expect(files.parameters == ["path": "a/b/c.txt"])
        #expect(function(t, "POST", "/hello") == "post")
        #expect(function(t, "GET", "/") == "root")
        #expect(function(t, "GET", "/files") == "files")
    }

    @Test func literalsWinOverParametersAndParametersOverWildcards() throws {
        let t = try table([("GET /*all", "wild"), ("GET /items/:id", "param"), ("GET /items/new", "literal")])
        #expect(function(t, "GET", "/items/new") == "literal")
        #expect(function(t, "GET", "/items/42") == "param")
        #expect(function(t, "GET", "/items/42/x") == "wild")
        #expect(function(t, "GET", "/other") == "wild")
    }

    @Test func backtracksWhenALiteralBranchDeadEnds() throws {
        let t = try table([("GET /a/b/c", "abc"), ("GET /a/:x/d", "axd")])
        #expect(function(t, "GET", "/a/b/d") == "axd")
    }

    @Test func tellsNotFoundFromMethodNotAllowed() throws {
        let t = try table([("GET /hello/:name", "hello"), ("PUT /hello/:name", "put")])
        #expect(t.lookup(method: "DELETE", path: "/hello/x") == .methodNotAllowed(allowed: ["GET", "PUT"]))
        #expect(t.lookup(method: "GET", path: "/bye") == .notFound)
        #expect(t.lookup(method: "GET", path: "/hello") == .notFound)
        #expect(function(t, "HEAD", "/hello/x") == "hello")
    }

    @Test func decodesPercentEncodedParameters() throws {
        let t = try table([("GET /hello/:name", "hello")])
        guard case .found(let match) = t.lookup(method: "GET", path: "/hello/J%C3%BCrgen%20K") else { Issue.record("no match"); return }
        #expect(match.parameters["name"] == "Jürgen K")
    }
}
