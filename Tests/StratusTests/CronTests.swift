import Foundation
import StratusModel
import StratusRuntime
import StratusStore
import Synchronization
import Testing

@Suite struct CronScheduleTests {
    private func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    private func next(_ cron: String, _ after: String) throws -> String? {
        try CronSchedule(parsing: cron).next(after: date(after)).map { ISO8601DateFormatter().string(from: $0) }
    }

    @Test(arguments: [
        ("*/10 * * * * *", "2026-01-01T00:00:05Z", "2026-01-01T00:00:10Z"),
        ("*/10 * * * * *", "2026-01-01T00:00:10Z", "2026-01-01T00:00:20Z"),
        ("*/15 * * * *", "2026-01-01T00:14:59Z", "2026-01-01T00:15:00Z"),
        ("0 0 * * *", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"),
        ("0 0 0 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"),
        ("0 12 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z"),
        ("30 9 * * mon-fri", "2026-11-21T10:00:00Z", "2026-11-23T09:30:00Z"),
        ("0 0 1 jan,jul *", "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z"),
        ("0 0 13 * 5", "2026-11-01T00:00:00Z", "2026-11-06T00:00:00Z"),
        ("0 0 * * 7", "2026-11-22T00:00:00Z", "2026-11-29T00:00:00Z"),
    ])
    func computesTheNextRun(_ cron: String, _ after: String, _ expected: String) throws {
        #expect(try next(cron, after) == expected)
    }

    @Test(arguments: ["* * * *", "* * * * * * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "5-1 * * * *", "* * * foo *", "a b c d e"])
    func refusesMalformedExpressions(_ cron: String) {
        #expect(throws: StratusError.self) { _ = try CronSchedule(parsing: cron) }
    }

    @Test func aMalformedCronInAManifestNamesTheFunctionAndField() {
        #expect {
            _ = try ManifestParser().parse("app: a\nfunctions:\n  tick:\n    module: t.wasm\n    on:\n      - cron: \"61 * * * *\"\n")
        } throws: { error in
            let message = (error as? StratusError)?.message ?? ""
            return message.contains("functions.tick.on[0].cron") && message.contains("61")
        }
    }
}

@Suite struct CronSchedulerTests {
    /// A clock that stands still until the test moves it, so a slow machine changes nothing.
    final class TestClock: Sendable {
        private let current = Mutex(Date())
        func now() -> Date { current.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
        func set(to date: Date) { current.withLock { $0 = date } }
    }

    @Test func aDueTickRunsOnceAndMissedTicksRunOnceNotOncePerTick() async throws {
        let dir = try TemporaryDirectory()
        let platform = Platform(store: try SQLiteStore(path: dir.file("s.sqlite")), pool: WorkerPool(slots: 2))
        _ = try await platform.deploy(TestApps.bundle(app: "cron", [("tick", EventTests.recorder, [])], functionExtra: [
            "tick": "kv:\n  \"seen/*\": [set]\non:\n  - cron: \"*/10 * * * * *\"",
        ]))
        let schedules = try await platform.store.schedules()
        #expect(schedules.map(\.function) == ["tick"])
        let clock = TestClock()
        // Half a period before the first run, however long the deploy took.
        clock.set(to: try #require(schedules.first?.nextRun).addingTimeInterval(-5))
        let scheduler = CronScheduler(platform: platform, clock: { clock.now() })

        try await scheduler.tick()
        #expect(try await platform.store.pendingEventCount() == 0, "nothing is due before the first tick")
        clock.advance(10)
        try await scheduler.tick()
        #expect(try await platform.store.pendingEventCount() == 1)
        try await scheduler.tick()
        #expect(try await platform.store.pendingEventCount() == 1, "a tick fires once")

        // An hour passes with the server down: 360 ticks missed, one runs.
        clock.advance(3600)
        try await scheduler.tick()
        #expect(try await platform.store.pendingEventCount() == 2)
        let nextRun = try #require(try await platform.store.schedules().first?.nextRun)
        #expect(nextRun > clock.now())
        #expect(nextRun <= clock.now().addingTimeInterval(10))

        // The function sees trigger `cron`. Its event is due at its tick, up to one period (10 s)
        // of real time after the deploy, so the wait is a hang guard longer than that.
        try await platform.whileDispatching {
            for _ in 0..<2000 where (try? await platform.kvGet(app: "cron", key: "seen/")) == nil {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await platform.kvGet(app: "cron", key: "seen/") == Array("cron|:*/10 * * * * *".utf8))
        }
    }

    @Test func schedulesFollowDeploysAndDeletes() async throws {
        let dir = try TemporaryDirectory()
        let platform = Platform(store: try SQLiteStore(path: dir.file("s.sqlite")), pool: WorkerPool(slots: 2))
        func deploy(_ cron: String) async throws {
            _ = try await platform.deploy(TestApps.bundle(app: "cron", [("tick", TestApps.echo, [])], functionExtra: [
                "tick": "on:\n  - cron: \"\(cron)\"",
            ]))
        }
        try await deploy("0 0 * * *")
        let first = try await platform.store.schedules()
        try await deploy("0 0 * * * ")  // the same expression: the stored next run stays
        #expect(try await platform.store.schedules() == first)
        try await deploy("*/5 * * * *")
        #expect(try await platform.store.schedules().map(\.expression) == ["*/5 * * * *"])
        try await platform.delete(app: "cron")
        #expect(try await platform.store.schedules().isEmpty)
    }
}
