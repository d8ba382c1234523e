import Foundation
import StratusEngine
import StratusModel
import StratusRuntime
import StratusStore
import Testing

@Suite struct PlatformTests {
    private func platform(_ dir: TemporaryDirectory) throws -> Platform {
        Platform(store: try SQLiteStore(path: dir.file("stratus.sqlite")), pool: WorkerPool(slots: 2))
    }

    private func text(_ output: InvocationOutput) -> String { String(decoding: output.body, as: UTF8.self) }

    private func deployError(_ platform: Platform, _ bundle: AppBundle) async -> StratusError? {
        do {
            _ = try await platform.deploy(bundle)
            return nil
        } catch let error as StratusError {
            return error
        } catch {
            Issue.record("unexpected error: \(error)")
            return nil
        }
    }

    @Test func aRestartServesTheSameApps() async throws {
        let dir = try TemporaryDirectory()
        do {
            let first = try platform(dir)
            try await first.start()
            _ = try await first.deploy(TestApps.bundle(app: "greet", [("hi", TestApps.greeter(text: "hi "), ["GET /hi/:name"])]))
        }
        let second = try platform(dir)
        try await second.start()
        #expect(second.apps.map(\.name) == ["greet"])
        guard case .found(let match) = second.lookup(method: "GET", path: "/hi/Bo") else {
            Issue.record("route lost across restart")
            return
        }
        let output = try await second.invoke(app: match.app, function: match.function, input: [], trigger: "http",
                                             context: match.parameters.reduce(into: [:]) { $0["param." + $1.key] = $1.value })
        #expect(text(output) == "hi Bo")
    }

    @Test func aDeployReplacesThePreviousVersion() async throws {
        let dir = try TemporaryDirectory()
        let platform = try platform(dir)
        let v1 = try await platform.deploy(TestApps.bundle(app: "a", [("f", TestApps.greeter(text: "one"), ["GET /old"])]))
        let v2 = try await platform.deploy(TestApps.bundle(app: "a", [("f", TestApps.greeter(text: "two"), ["GET /new"])]))
        #expect(v1.record.version == 1)
        #expect(v2.record.version == 2)
        let same = try await platform.deploy(TestApps.bundle(app: "a", [("f", TestApps.greeter(text: "two"), ["GET /new"])]))
        #expect(same.record.version == 2, "an identical deploy keeps the version")
        #expect(text(try await platform.invoke(app: "a", function: "f", input: [], trigger: "call")) == "two")
        #expect(platform.lookup(method: "GET", path: "/old") == .notFound)
        // The old version's route is free for another app now.
        _ = try await platform.deploy(TestApps.bundle(app: "b", [("g", TestApps.greeter(text: "b"), ["GET /old"])]))
    }

    @Test func aBadDeployLeavesThePreviousVersionServing() async throws {
        let dir = try TemporaryDirectory()
        let platform = try platform(dir)
        _ = try await platform.deploy(TestApps.bundle(app: "a", [("f", TestApps.greeter(text: "good"), ["GET /f"])]))

        let broken = TestApps.bundle(app: "a", [("f", "(module (func (export \"handle\") i32.add))", ["GET /f"])])
        let invalid = await deployError(platform, broken)
        #expect(invalid?.code == "module_invalid")
        #expect(invalid?.message.contains("f.wat") == true)

        var missing = TestApps.bundle(app: "a", [("f", TestApps.echo, ["GET /f"])])
        missing.files = [:]
        let missingError = await deployError(platform, missing)
        #expect(missingError?.code == "module_missing")
        #expect(missingError?.message.contains("f.wat") == true)

        let unknownImport = TestApps.bundle(app: "a", [("f", """
            (module (import "stratus" "teleport" (func (result i32))) (func (export "handle")))
            """, ["GET /f"])])
        #expect(await deployError(platform, unknownImport)?.message.contains("stratus.teleport") == true)

        #expect(text(try await platform.invoke(app: "a", function: "f", input: [], trigger: "call")) == "good")
        #expect(platform.app(named: "a")?.record.version == 1)
        // Nothing of the failed deploys was stored: a restart still serves version 1.
        let restarted = try self.platform(dir)
        try await restarted.start()
        #expect(restarted.app(named: "a")?.record.version == 1)
    }

    @Test func aRouteHeldByAnotherAppIsRefusedNamingTheHolder() async throws {
        let dir = try TemporaryDirectory()
        let platform = try platform(dir)
        _ = try await platform.deploy(TestApps.bundle(app: "holder", [("f", TestApps.echo, ["GET /items/:id"])]))
        let error = await deployError(platform, TestApps.bundle(app: "other", [("g", TestApps.echo, ["GET /items/:key"])]))
        #expect(error?.code == "route_conflict")
        #expect(error?.httpStatus == 409)
        #expect(error?.message.contains("`holder`") == true)
        #expect(platform.app(named: "other") == nil)
        // The same path with another method is a different route.
        _ = try await platform.deploy(TestApps.bundle(app: "other", [("g", TestApps.echo, ["POST /items/:key"])]))
    }

    @Test func theStoreRefusesARouteConflictEvenWhenTheCacheMissesIt() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        let route = RouteClaim(try RoutePattern(parsing: "GET /x/:id"))
        _ = try await store.deploy(AppRecord(name: "a", manifest: "", files: [:]), modules: [], routes: [route])
        await #expect(throws: StratusError.self) {
            _ = try await store.deploy(AppRecord(name: "b", manifest: "", files: [:]), modules: [],
                                       routes: [RouteClaim(try RoutePattern(parsing: "GET /x/:other"))])
        }
        #expect(try await store.app(named: "b") == nil)
    }

    @Test func deletingAnAppStopsItAndFreesItsModules() async throws {
        let dir = try TemporaryDirectory()
        let platform = try platform(dir)
        let app = try await platform.deploy(TestApps.bundle(app: "gone", [("f", TestApps.echo, ["POST /gone"])]))
        let hash = try #require(app.record.files["f.wat"])
        #expect(try await platform.store.module(sha256: hash) != nil)
        try await platform.delete(app: "gone")
        #expect(platform.lookup(method: "POST", path: "/gone") == .notFound)
        #expect(try await platform.store.module(sha256: hash) == nil)
        await #expect(throws: StratusError.self) { try await platform.delete(app: "gone") }
    }

    @Test func invocationsCarryContextAndVariables() async throws {
        let dir = try TemporaryDirectory()
        let platform = try platform(dir)
        _ = try await platform.deploy(TestApps.bundle(app: "v", [
            ("param", TestApps.greeter(text: "", key: "param.x"), []),
            ("variable", TestApps.greeter(text: "", key: "var.greeting"), []),
            ("trigger", TestApps.greeter(text: "", key: "trigger"), []),
            ("app", TestApps.greeter(text: "", key: "app"), []),
        ], extra: "variables:\n  greeting: bonjour\n"))
        func run(_ f: String) async throws -> String {
            text(try await platform.invoke(app: "v", function: f, input: [], trigger: "call", context: ["param.x": "42"]))
        }
        #expect(try await run("param") == "42")
        #expect(try await run("variable") == "bonjour")
        #expect(try await run("trigger") == "call")
        #expect(try await run("app") == "v")
        await #expect(throws: StratusError.self) {
            _ = try await platform.invoke(app: "v", function: "nope", input: [], trigger: "call")
        }
    }

    @Test func aTrapIsAnInvocationFailureAndThePlatformGoesOn() async throws {
        let dir = try TemporaryDirectory()
        let platform = try platform(dir)
        _ = try await platform.deploy(TestApps.bundle(app: "t", [("boom", TestApps.trap, []), ("ok", TestApps.echo, [])]))
        do {
            _ = try await platform.invoke(app: "t", function: "boom", input: [], trigger: "call")
            Issue.record("a trap did not fail")
        } catch let failure as InvocationFailure {
            #expect(failure.error.code == "guest_trap")
            #expect(failure.error.httpStatus == 500)
            #expect(failure.error.message.contains("unreachable"))
        }
        #expect(text(try await platform.invoke(app: "t", function: "ok", input: Array("still up".utf8), trigger: "call")) == "still up")
    }
}
