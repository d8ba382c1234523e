/// What the engine asks of the platform while a guest runs. Calls come from the worker thread
/// running the guest, so an implementation may block; it must never need an event loop thread.
/// One service is bound to one invocation: it knows the app and what the function may do.
/// Keys and values reach it already checked against the ABI's size limits.
public protocol HostServices: Sendable {
    /// An outbound HTTP request on behalf of a guest (`http_fetch`, and `get_url` as a GET),
    /// under the app's `outbound` allow-list: DENIED outside it.
    func httpFetch(method: String, url: String, body: [UInt8]) -> HostResult<HTTPReply>

    func kvGet(_ key: [UInt8]) -> HostResult<[UInt8]>
    func kvSet(_ key: [UInt8], _ value: [UInt8]) -> HostResult<Void>
    /// `.failure(.notFound)` if there was no such key.
    func kvDelete(_ key: [UInt8]) -> HostResult<Void>
    /// `expected == nil`: the key must be absent. `.failure(.conflict)` when it does not hold.
    func kvCompareAndSwap(_ key: [UInt8], expected: [UInt8]?, value: [UInt8]) -> HostResult<Void>
    func kvIncrement(_ key: [UInt8], by delta: Int64) -> HostResult<Int64>
    /// Up to `limit` pairs whose key starts with `prefix`, in key order.
    func kvScan(prefix: [UInt8], limit: Int) -> HostResult<[KVEntry]>

    /// A durable asynchronous invocation of `name` (`function` or `app/function`).
    func spawn(_ name: String, input: [UInt8]) -> HostResult<Void>

    /// Runs `name` (`function` or `app/function`: a function, sequence or plan) with `input`
    /// and answers its output: `.failure(.failed)` when it failed, `.denied` when the caller may
    /// not call it, `.limit` past the call depth.
    func call(_ name: String, input: [UInt8]) -> HostResult<InvocationOutput>

    /// For module binding: what an instance of the app's function `function` needs, to serve
    /// the imports of a module named after it; `.limit` past the call depth.
    func bind(_ function: String) -> HostResult<BoundFunction>

    /// Sends `data` as one message to the app's live WebSocket connection `connection`:
    /// `.notFound` when it is gone (or is another app's).
    func wsSend(_ connection: String, _ data: [UInt8]) -> HostResult<Void>
    /// Closes the app's live WebSocket connection `connection` (code 1000): `.notFound` when it is gone.
    func wsClose(_ connection: String) -> HostResult<Void>
}

/// A function of the app that another module imports from (module binding): its module and
/// the invocation and host services its instance runs with, one call deeper than the importer.
public struct BoundFunction: Sendable {
    public var module: CompiledModule
    public var invocation: Invocation
    public var host: any HostServices

    public init(module: CompiledModule, invocation: Invocation, host: any HostServices) {
        self.module = module
        self.invocation = invocation
        self.host = host
    }
}

/// The answer to an outbound HTTP request.
public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: [Header]
    public var body: [UInt8]

    public init(status: Int, headers: [Header] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A key and its value, as `kv_scan` returns them.
public struct KVEntry: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]

    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }

    /// `[u32 LE key length][key][u32 LE value length][value]` for each pair, as docs/ABI.md frames
    /// them for `kv_scan` (and Stratus for the input of a plan's reduce).
    public static func frame(_ entries: [KVEntry]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + 8 + $1.key.count + $1.value.count })
        for entry in entries {
            for part in [entry.key, entry.value] {
                withUnsafeBytes(of: UInt32(part.count).littleEndian) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: part)
            }
        }
        return bytes
    }
}

/// The outcome of a host service call, mapped onto the ABI's error codes.
public enum HostResult<Value: Sendable>: Sendable {
    case success(Value)
    case failure(ABICode)
}

/// The ABI's negative result codes (docs/ABI.md).
public enum ABICode: Int32, Sendable {
    case notFound = -1
    case invalid = -2
    case denied = -3
    case tooLarge = -4
    case conflict = -5
    case failed = -6
    case badHandle = -7
    case limit = -8
}

/// A host that grants no KV access and no calls answers DENIED, as a function without grants would.
extension HostServices {
    public func httpFetch(method: String, url: String, body: [UInt8]) -> HostResult<HTTPReply> { .failure(.denied) }
    public func kvGet(_ key: [UInt8]) -> HostResult<[UInt8]> { .failure(.denied) }
    public func kvSet(_ key: [UInt8], _ value: [UInt8]) -> HostResult<Void> { .failure(.denied) }
    public func kvDelete(_ key: [UInt8]) -> HostResult<Void> { .failure(.denied) }
    public func kvCompareAndSwap(_ key: [UInt8], expected: [UInt8]?, value: [UInt8]) -> HostResult<Void> { .failure(.denied) }
    public func kvIncrement(_ key: [UInt8], by delta: Int64) -> HostResult<Int64> { .failure(.denied) }
    public func kvScan(prefix: [UInt8], limit: Int) -> HostResult<[KVEntry]> { .failure(.denied) }
    public func spawn(_ name: String, input: [UInt8]) -> HostResult<Void> { .failure(.denied) }
    public func call(_ name: String, input: [UInt8]) -> HostResult<InvocationOutput> { .failure(.denied) }
    public func bind(_ function: String) -> HostResult<BoundFunction> { .failure(.denied) }
    public func wsSend(_ connection: String, _ data: [UInt8]) -> HostResult<Void> { .failure(.notFound) }
    public func wsClose(_ connection: String) -> HostResult<Void> { .failure(.notFound) }
}

/// The host of set-up code that runs before any invocation: it grants nothing.
struct NoHost: HostServices {}
