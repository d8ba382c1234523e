/// What the engine asks of the platform while a guest runs. Calls come from the worker thread
/// running the guest, so an implementation may block; it must never need an event loop thread.
public protocol HostServices: Sendable {
    /// An outbound HTTP GET on behalf of a guest (`get_url`), under the app's allow-list.
    func httpGet(url: String) -> HostResult<[UInt8]>
}

/// The outcome of a host service call, mapped onto the ABI's error codes.
public enum HostResult<Value: Sendable>: Sendable {
    case success(Value)
    case failure(ABICode)
}

/// The ABI's negative result codes (ABI.md).
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
