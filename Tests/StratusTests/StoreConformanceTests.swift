import Foundation
import StratusBackup
import StratusEngine
import StratusModel
import StratusStore
import Testing

/// One suite, every store: what the platform relies on from `Store`, run against SQLite and
/// against a real PostgreSQL server.
@Suite struct StoreConformanceTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory()
    }

    func with(_ kind: StoreKind, _ body: (any Store) async throws -> Void) async throws {
        let (store, cleanup) = try await kind.make(dir)
        do {
            try await body(store)
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    static func blob(_ bytes: [UInt8]) -> ModuleBlob { ModuleBlob(sha256: WasmEngine.sha256(bytes), bytes: bytes) }

    @Test(arguments: StoreKind.allCases) func appsDeployWithVersionsRoutesAndModules(_ kind: StoreKind) async throws {
        try await with(kind) { store in
            let one = Self.blob([1, 2, 3]), two = Self.blob([4, 5])
            let route = RouteClaim(method: "GET", shape: "/a/:", text: "GET /a/:id")
            let first = try await store.deploy(AppRecord(name: "a", manifest: "m1", files: ["x.wasm": one.sha256]), modules: [one], routes: [route])
            #expect(first.version == 1)
            let second = try await store.deploy(AppRecord(name: "a", manifest: "m2", files: ["y.wasm": two.sha256]), modules: [two], routes: [route])
            #expect(second.version == 2)
            #expect(try await store.app(named: "a")?.manifest == "m2")
            #expect(try await store.module(sha256: two.sha256) == [4, 5])
            #expect(try await store.module(sha256: one.sha256) == nil, "a module no app uses is let go")
            await #expect { _ = try await store.deploy(AppRecord(name: "b", manifest: "m", files: [:]), modules: [], routes: [route]) }
                throws: { ($0 as? StratusError)?.code == "route_conflict" && "\($0)".contains("app `a`") }
            #expect(try await store.apps().map(\.name) == ["a"])
            #expect(try await store.deleteApp(named: "a"))
            #expect(try await !store.deleteApp(named: "a"))
            _ = try await store.deploy(AppRecord(name: "b", manifest: "m", files: [:]), modules: [], routes: [route])
            #expect(try await store.apps().map(\.name) == ["b"], "a deleted app's routes are free")
        }
    }

    @Test(arguments: StoreKind.allCases) func keysReadWriteAndScanInByteOrder(_ kind: StoreKind) async throws {
        try await with(kind) { store in
            let keys: [[UInt8]] = [[0x61], [0x61, 0x00], [0x61, 0x62], [0x61, 0xFF], [0x61, 0xFF, 0xFF], [0x62], [0xFF]]
            for key in keys.shuffled() { try store.set(app: "s", key: key, value: key + [1], events: []) }
            try store.set(app: "other", key: [0x61, 0x63], value: [9], events: [])
            #expect(try store.get(app: "s", key: [0x61, 0x62]) == [0x61, 0x62, 1])
            #expect(try store.scan(app: "s", prefix: [], after: nil, limit: 100).map(\.key) == keys)
            #expect(try store.scan(app: "s", prefix: [0x61], after: nil, limit: 100).map(\.key) == Array(keys[0...4]))
            #expect(try store.scan(app: "s", prefix: [0x61], after: [0x61, 0x00], limit: 2).map(\.key) == [[0x61, 0x62], [0x61, 0xFF]])
            #expect(try store.scan(app: "s", prefix: [0x61, 0xFF], after: nil, limit: 10).map(\.key) == [[0x61, 0xFF], [0x61, 0xFF, 0xFF]])
            #expect(try store.scan(app: "s", prefix: [0xFF], after: nil, limit: 10).map(\.key) == [[0xFF]])

            #expect(try store.delete(app: "s", key: [0x62], events: []))
            #expect(try !store.delete(app: "s", key: [0x62], events: []))
            #expect(try store.get(app: "s", key: [0x62]) == nil)

            #expect(try store.compareAndSwap(app: "s", key: [7], expected: nil, value: [1], events: []))
            #expect(try !store.compareAndSwap(app: "s", key: [7], expected: nil, value: [2], events: []))
            #expect(try !store.compareAndSwap(app: "s", key: [7], expected: [9], value: [2], events: []))
            #expect(try store.compareAndSwap(app: "s", key: [7], expected: [1], value: [3], events: []))
            #expect(try store.get(app: "s", key: [7]) == [3])

            #expect(try store.increment(app: "s", key: Array("n".utf8), by: 5, events: []) == 5)
            #expect(try store.increment(app: "s", key: Array("n".utf8), by: -7, events: []) == -2)
            #expect { try store.increment(app: "s", key: [7], by: 1, events: []) } throws: { ($0 as? StratusError)?.code == "kv_not_a_number" }
            try store.set(app: "s", key: Array("max".utf8), value: Array(String(Int64.max).utf8), events: [])
            #expect { try store.increment(app: "s", key: Array("max".utf8), by: 1, events: []) } throws: { ($0 as? StratusError)?.code == "kv_overflow" }
        }
    }

    @Test(arguments: StoreKind.allCases) func concurrentIncrementsAreAllCounted(_ kind: StoreKind) async throws {
        try await with(kind) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await onThread { for _ in 0..<25 { _ = try? store.increment(app: "c", key: [1], by: 1, events: []) } }
                    }
                }
                try await group.waitForAll()
            }
            let total = try store.get(app: "c", key: [1])
            #expect(total == Array("100".utf8))
        }
    }

    @Test(arguments: StoreKind.allCases) func eventsKeepTheirKeysOrderAndRetries(_ kind: StoreKind) async throws {
        try await with(kind) { store in
            let target = [EventTarget(function: "t")]
            try store.set(app: "e", key: [1], value: [10], events: target)
            try store.set(app: "e", key: [1], value: [11], events: target)
            try store.set(app: "e", key: [2], value: [20], events: target)
            #expect(try !store.compareAndSwap(app: "e", key: [1], expected: [0], value: [0], events: target), "a lost swap adds no event")
            let spawned = try store.enqueue(EventRecord(app: "e", function: "s", kind: .async, payload: [5]))
            let now = Date()
            let first = try await store.claimEvents(node: "n1", now: now, lease: 30, limit: 10)
            // Key 1's second write waits behind its first; key 2 and the spawn run beside them.
            #expect(first.map(\.payload) == [[10], [20], [5]])
            #expect(first[0].key == [1] && first[0].op == "set" && first[0].kind == .kv)
            #expect(try await store.claimEvents(node: "n2", now: now, lease: 30, limit: 10).isEmpty, "claimed events are not claimed twice")
            try await store.completeEvent(id: first[0].id)
            #expect(try await store.claimEvents(node: "n2", now: now, lease: 30, limit: 10).map(\.payload) == [[11]])

            try await store.failEvent(id: spawned, error: "boom", retryAt: now.addingTimeInterval(60))
            #expect(try await store.claimEvents(node: "n2", now: now.addingTimeInterval(1), lease: 30, limit: 10).isEmpty)
            let retried = try await store.claimEvents(node: "n2", now: now.addingTimeInterval(61), lease: 30, limit: 10)
            #expect(retried.map(\.id).contains(spawned) && retried.first { $0.id == spawned }?.attempts == 1)
            try await store.failEvent(id: spawned, error: "boom again", retryAt: nil)
            let dead = try await store.deadLetters(app: "e", limit: 10)
            #expect(dead.map(\.id) == [spawned] && dead[0].lastError == "boom again" && dead[0].attempts == 2)
            let stats = try await store.eventQueue(now: now.addingTimeInterval(100))
            #expect(stats.deadLetters == 1 && stats.pending == 2)
            #expect(try await store.replayDeadLetter(id: spawned))
            #expect(try await !store.replayDeadLetter(id: spawned))
            #expect(try await store.deadLetters(app: nil, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases) func aDeadNodesClaimsAreTakenOverAfterTheirLease(_ kind: StoreKind) async throws {
        try await with(kind) { store in
            let id = try store.enqueue(EventRecord(app: "e", function: "s", kind: .async, payload: []))
            let now = Date()
            #expect(try await store.claimEvents(node: "dead", now: now, lease: 5, limit: 10).map(\.id) == [id])
            #expect(try await store.claimEvents(node: "live", now: now.addingTimeInterval(4), lease: 5, limit: 10).isEmpty)
            #expect(try await store.claimEvents(node: "live", now: now.addingTimeInterval(6), lease: 5, limit: 10).map(\.id) == [id])
            try await store.releaseClaims(node: "live")
            #expect(try await store.claimEvents(node: "again", now: now.addingTimeInterval(7), lease: 5, limit: 10).map(\.id) == [id])
        }
    }

    @Test(arguments: StoreKind.allCases) func aPostponedEventWaitsWithoutCountingAnAttempt(_ kind: StoreKind) async throws {
        try await with(kind) { store in
            let id = try store.enqueue(EventRecord(app: "e", function: "s", kind: .async, payload: []))
            let now = Date()
            #expect(try await store.claimEvents(node: "n", now: now, lease: 30, limit: 10).map(\.id) == [id])
            try await store.postponeEvent(id: id, until: now.addingTimeInterval(10), reason: "no_eligible_node: none")
            #expect(try await store.claimEvents(node: "n", now: now.addingTimeInterval(5), lease: 30, limit: 10).isEmpty)
            let again = try await store.claimEvents(node: "m", now: now.addingTimeInterval(11), lease: 30, limit: 10)
            #expect(again.map(\.id) == [id] && again[0].attempts == 0 && again[0].lastError == "no_eligible_node: none")
        }
    }

    /// A shared store leaves an event to the node it was placed on while that node lives, and
    /// gives it to any node once it is overdue or its node is gone.
    @Test func placedEventsGoToTheirNodeWhileItLives() async throws {
        try await with(.postgres) { store in
            let cluster = try #require(store as? any ClusterStore)
            try store.set(app: "p", key: [1], value: [1], events: [EventTarget(function: "f", node: "a")])
            let spawned = try store.enqueue(EventRecord(app: "p", function: "g", kind: .async, payload: [], placedOn: "gone"))
            let now = Date()
            try await cluster.heartbeat(NodeRecord(name: "a", address: "http://127.0.0.1:1", heartbeatAt: now), leaseUntil: now.addingTimeInterval(5))
            let scope = ClaimScope(liveSince: now.addingTimeInterval(-5), stealBefore: now.addingTimeInterval(-2))
            let forB = try await store.claimEvents(node: "b", now: now, lease: 30, limit: 10, scope: scope)
            #expect(forB.map(\.id) == [spawned], "b takes the event of a node that never beat, not a's")
            #expect(try await store.claimEvents(node: "a", now: now, lease: 30, limit: 10, scope: scope).map(\.function) == ["f"])
            try await store.releaseClaims(node: "a")
            let later = now.addingTimeInterval(3)
            let overdue = ClaimScope(liveSince: later.addingTimeInterval(-5), stealBefore: later.addingTimeInterval(-2))
            #expect(try await store.claimEvents(node: "b", now: later, lease: 30, limit: 10, scope: overdue).map(\.function) == ["f"],
                    "an event its node left overdue is anyone's")
            let secret = try await cluster.clusterSecret()
            #expect(secret.count >= 32)
            #expect(try await cluster.clusterSecret() == secret, "every node reads the same secret")
        }
    }

    @Test(arguments: StoreKind.allCases) func aScheduleTickFiresOnce(_ kind: StoreKind) async throws {
        try await with(kind) { store in
            let due = Date(timeIntervalSince1970: 1_700_000_000)
            let tick = ScheduleRecord(app: "c", function: "f", expression: "* * * * * *", nextRun: due)
            try await store.replaceSchedules(app: "c", [tick, ScheduleRecord(app: "c", function: "g", expression: "0 * * * *", nextRun: due)])
            try await store.replaceSchedules(app: "c", [ScheduleRecord(app: "c", function: "f", expression: "* * * * * *", nextRun: due.addingTimeInterval(99))])
            #expect(try await store.schedules() == [tick], "a kept schedule keeps its next run; a dropped one goes")
            #expect(try await store.fire(tick, nextRun: due.addingTimeInterval(1), placedOn: nil))
            #expect(try await !store.fire(tick, nextRun: due.addingTimeInterval(1), placedOn: nil), "another scheduler lost the race")
            let events = try await store.claimEvents(node: "n", now: Date(), lease: 30, limit: 10)
            #expect(events.map(\.kind) == [.cron] && events[0].payload == Array("* * * * * *".utf8))
        }
    }

    /// An archive exported from one kind of store and imported into another holds the same.
    @Test(arguments: StoreKind.allCases, StoreKind.allCases)
    func stateMovesBetweenStores(_ from: StoreKind, _ to: StoreKind) async throws {
        try await with(from) { source in
            let shared = Self.blob([0, 0x61, 0x73, 0x6D, 1, 0, 0, 0])
            _ = try await source.deploy(AppRecord(name: "m", manifest: "app: m\n", files: ["a.wasm": shared.sha256]), modules: [shared],
                                        routes: [RouteClaim(method: "POST", shape: "/m", text: "POST /m")])
            try await onThread {
                for index in 0..<1200 { try source.set(app: "m", key: Array("k\(index)".utf8), value: [UInt8(index % 256), 0, 0xFF], events: []) }
            }
            try source.set(app: "m", key: [0xFF, 0], value: [0], events: [EventTarget(function: "w")])
            let dead = try source.enqueue(EventRecord(app: "m", function: "x", kind: .async, payload: [1]))
            try await source.failEvent(id: dead, error: "trap", retryAt: nil)
            try await source.replaceSchedules(app: "m", [ScheduleRecord(app: "m", function: "t", expression: "0 * * * *",
                                                                       nextRun: Date(timeIntervalSince1970: 1_900_000_060))])
            let archive = dir.file("\(from)-\(to).tar.gz")
            _ = try await onThread { try Backup.write(from: source, to: archive) }
            try await with(to) { target in
                _ = try await onThread { try Backup.restore(archive, into: target) }
                let (before, after) = try await onThread { () -> ([StateItem], [StateItem]) in
                    var before: [StateItem] = [], after: [StateItem] = []
                    try source.exportState { before.append($0) }
                    try target.exportState { after.append($0) }
                    return (before, after)
                }
                #expect(after.count == before.count && after == before)
                // New events are numbered after the imported ones.
                let next = try target.enqueue(EventRecord(app: "m", function: "x", kind: .async, payload: []))
                #expect(next > dead)
                #expect { try Backup.restore(archive, into: target) } throws: { ($0 as? StratusError)?.code == "store_not_empty" }
            }
        }
    }
}
