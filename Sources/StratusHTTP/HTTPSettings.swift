/// What the HTTP layer needs to know besides the platform.
public struct HTTPSettings: Sendable {
    /// The admin token every `/_stratus/` call must present as `Authorization: Bearer TOKEN`.
    public var adminToken: String
    /// The largest request body a public route accepts (default 10 MiB).
    public var bodyLimit: Int
    /// The largest admin request (an app upload, base64 in JSON; default 64 MiB).
    public var adminBodyLimit: Int
    /// How long a connection may go without a request part before it is closed: a client that
    /// sends nothing, or trickles a request head, does not hold a connection forever.
    public var idleTimeout: Duration
    /// The largest archive `POST /_stratus/restore` takes (default 4 GiB).
    public var restoreLimit: Int
    /// The largest WebSocket message a client may send (default 1 MiB); past it the connection
    /// closes with 1009.
    public var webSocketMessageLimit: Int

    public init(adminToken: String, bodyLimit: Int = 10 << 20, adminBodyLimit: Int = 64 << 20, idleTimeout: Duration = .seconds(30),
                restoreLimit: Int = 4 << 30, webSocketMessageLimit: Int = 1 << 20) {
        self.webSocketMessageLimit = webSocketMessageLimit
        self.adminToken = adminToken
        self.bodyLimit = bodyLimit
        self.adminBodyLimit = adminBodyLimit
        self.idleTimeout = idleTimeout
        self.restoreLimit = restoreLimit
    }
}
