import StratusEngine

/// The platform's answers to guests' outbound requests. Outbound HTTP is not implemented yet,
/// so every request is refused as DENIED (the ABI's answer for a host not allowed).
public struct OutboundPolicy: HostServices {
    public init() {}

    public func httpGet(url: String) -> HostResult<[UInt8]> {
        .failure(.denied)
    }
}
