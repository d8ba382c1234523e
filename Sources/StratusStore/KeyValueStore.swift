/// A key and its value.
public struct KVPair: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]

    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

/// Each app's key-value namespace. Keys order by their bytes. The calls block: they are made
/// from worker threads (guests run there), never from an event loop.
///
/// A write that changes a key also adds one outbox event per `events` target, in the same
/// transaction: a crash loses neither the write nor its events. A write that changes nothing
/// (a delete of an absent key, a lost compare-and-swap) adds none.
public protocol KeyValueStore: Sendable {
    func get(app: String, key: [UInt8]) throws -> [UInt8]?
    func set(app: String, key: [UInt8], value: [UInt8], events: [EventTarget]) throws
    /// False if there was no such key.
    func delete(app: String, key: [UInt8], events: [EventTarget]) throws -> Bool
    /// Writes `value` if the key holds `expected` (`nil`: if the key is absent); false otherwise.
    func compareAndSwap(app: String, key: [UInt8], expected: [UInt8]?, value: [UInt8], events: [EventTarget]) throws -> Bool
    /// Adds `delta` to the decimal integer the key holds (0 if absent) and returns the sum.
    /// Throws `kv_not_a_number` if the value is not a decimal integer, `kv_overflow` past Int64.
    func increment(app: String, key: [UInt8], by delta: Int64, events: [EventTarget]) throws -> Int64
    /// Up to `limit` pairs whose key starts with `prefix`, in key order, from `after` (exclusive).
    func scan(app: String, prefix: [UInt8], after: [UInt8]?, limit: Int) throws -> [KVPair]
}
