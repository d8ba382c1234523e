import Foundation

/// The origins an app's guests may reach (the manifest's `outbound:`): a URL is allowed when its
/// scheme, host and port are those of an entry (ports default to 80 and 443).
struct OutboundAllowList: Sendable {
    private struct Origin: Hashable {
        var scheme: String
        var host: String
        var port: Int

        init?(_ url: URL) {
            guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host?.lowercased(), !host.isEmpty
            else { return nil }
            self.scheme = scheme
            self.host = host
            port = url.port ?? (scheme == "https" ? 443 : 80)
        }
    }

    private let origins: Set<Origin>

    init(_ entries: [String]) {
        origins = Set(entries.compactMap { URL(string: $0).flatMap(Origin.init) })
    }

    func allows(_ url: URL) -> Bool {
        guard url.user == nil, url.password == nil, let origin = Origin(url) else { return false }
        return origins.contains(origin)
    }
}
