import Foundation
import GRDB
import StratusCLI
import StratusEngine
import StratusRuntime
import StratusStore

/// KV and event figures: guest KV against direct GRDB with the same durability, and the latency
/// from a write to the start of the function it triggers.
enum KVBench {
    static func run(selected: (String) -> Bool) async throws {
        let dir = NSTemporaryDirectory() + "stratus-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        if selected("kv") {
            let n = 2_000
            let raw = try rawGRDB(path: dir + "/raw.sqlite", n: n)
            let platform = Platform(store: try SQLiteStore(path: dir + "/guest.sqlite"), pool: WorkerPool(slots: 2))
            _ = try await platform.deploy(AppBundle(manifest: """
                app: bench
                functions:
                  writer:
                    module: kv.wat
                    entry: write
                    kv: {"k/*": [get, set]}
                  reader:
                    module: kv.wat
                    entry: read
                    kv: {"k/*": [get, set]}
                """, files: ["kv.wat": Array(kvGuest(n: n).utf8)]))
            let writes = try await timed { _ = try await platform.invoke(app: "bench", function: "writer", input: [], trigger: "call") }
            let reads = try await timed { _ = try await platform.invoke(app: "bench", function: "reader", input: [], trigger: "call") }
            let guestWrite = Double(n) / writes, guestRead = Double(n) / reads
            print(String(format: "%-44@ %9.0f /s   direct GRDB %9.0f /s   ratio %.2f", "guest kv_set (one transaction each, fsync)" as NSString,
                         guestWrite, raw.writes, guestWrite / raw.writes))
            print(String(format: "%-44@ %9.0f /s   direct GRDB %9.0f /s   ratio %.2f", "guest kv_get" as NSString,
                         guestRead, raw.reads, guestRead / raw.reads))
        }

        if selected("event") {
            let platform = Platform(store: try SQLiteStore(path: dir + "/events.sqlite"), pool: WorkerPool(slots: 2))
            _ = try await platform.deploy(AppBundle(manifest: """
                app: latency
                functions:
                  stamp:
                    module: stamp.wat
                    kv: {"stamp": [set]}
                    on:
                      - kv: "go"
                """, files: ["stamp.wat": Array(stampGuest.utf8)]))
            let dispatcher = EventDispatcher(platform: platform)
            let task = Task { try await dispatcher.run() }
            defer { task.cancel() }
            var samples: [Double] = []
            for round in 0..<300 {
                let start = wallNanoseconds()
                try await platform.kvSet(app: "latency", key: "go", value: Array(String(round).utf8))
                var stamp: UInt64?
                while stamp == nil {
                    if let bytes = try? await platform.kvGet(app: "latency", key: "stamp"), let value = UInt64(String(decoding: bytes, as: UTF8.self)),
                       value >= start {
                        stamp = value
                    } else {
                        try await Task.sleep(for: .microseconds(100))
                    }
                }
                samples.append(Double(stamp! - start) / 1e3)
            }
            report("KV event: write to trigger start", samples)
        }
    }

    /// The same writes and reads a guest makes, straight through GRDB: one transaction per write,
    /// WAL, synchronous FULL, cached statements (as the store uses).
    static func rawGRDB(path: String, n: Int) throws -> (writes: Double, reads: Double) {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE kv (app TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (app, key)) WITHOUT ROWID")
        }
        let value = Data(repeating: 0x61, count: 64)
        let writes = try timedSync {
            for i in 0..<n {
                try pool.write { db in
                    try db.cachedStatement(sql: """
                        INSERT INTO kv (app, key, value, updated_at) VALUES ('bench', ?, ?, ?)
                        ON CONFLICT(app, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                        """).execute(arguments: [Data("k/\(i % 100)".utf8), value, Date().timeIntervalSince1970])
                }
            }
        }
        let reads = try timedSync {
            for i in 0..<n {
                _ = try pool.read { db in
                    try Data.fetchOne(db.cachedStatement(sql: "SELECT value FROM kv WHERE app = 'bench' AND key = ?"), arguments: [Data("k/\(i % 100)".utf8)])
                }
            }
        }
        return (Double(n) / writes, Double(n) / reads)
    }

    /// `write` sets keys k/0..k/99 round robin `n` times with a 64-byte value; `read` reads them back.
    static func kvGuest(n: Int) -> String {
        """
        (module
          (import "stratus" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
          (import "stratus" "kv_get" (func $kv_get (param i32 i32) (result i32)))
          (import "stratus" "buf_free" (func $buf_free (param i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "k/00")
          (func $key (param $i i32)
            (i32.store8 (i32.const 2) (i32.add (i32.const 48) (i32.div_u (i32.rem_u (local.get $i) (i32.const 100)) (i32.const 10))))
            (i32.store8 (i32.const 3) (i32.add (i32.const 48) (i32.rem_u (local.get $i) (i32.const 10)))))
          (func (export "write") (local $i i32)
            (loop $l
              (call $key (local.get $i))
              (drop (call $kv_set (i32.const 0) (i32.const 4) (i32.const 64) (i32.const 64)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const \(n))))))
          (func (export "read") (local $i i32)
            (loop $l
              (call $key (local.get $i))
              (drop (call $buf_free (call $kv_get (i32.const 0) (i32.const 4))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const \(n)))))))
        """
    }

    /// Writes `now_ns` as decimal text to `stamp` as soon as it starts.
    static let stampGuest = """
    (module
      (import "stratus" "now_ns" (func $now (result i64)))
      (import "stratus" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "stamp")
      (func (export "handle") (local $t i64) (local $p i32)
        (local.set $t (call $now))
        (local.set $p (i32.const 64))
        (loop $digits
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $t) (i64.const 10))))
          (local.set $t (i64.div_u (local.get $t) (i64.const 10)))
          (br_if $digits (i64.ne (local.get $t) (i64.const 0))))
        (drop (call $kv_set (i32.const 0) (i32.const 5) (local.get $p) (i32.sub (i32.const 64) (local.get $p))))))
    """

    static func wallNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func timedSync(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
