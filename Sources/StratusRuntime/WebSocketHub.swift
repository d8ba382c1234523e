import Synchronization

/// A live WebSocket connection as the platform sees it: messages to send, and a close. Both
/// only queue work for the connection's own task, so a guest's worker thread never waits on
/// the network.
public protocol WebSocketConnection: Sendable {
    func send(_ data: [UInt8])
    func close()
}

/// The live WebSocket connections of this node, by id, each belonging to one app. Any
/// function of that app may write to them (`ws_send`, `ws_close`); other apps cannot see them.
public final class WebSocketHub: Sendable {
    /// The most connections one app may hold open on this node.
    public let maxPerApp: Int
    private let node: String
    private let live = Mutex<[String: (app: String, connection: any WebSocketConnection)]>([:])

    init(node: String, maxPerApp: Int) {
        self.node = node
        self.maxPerApp = maxPerApp
    }

    /// Registers a connection of `app`; its id, or nil when the app is at its limit.
    public func open(app: String, _ connection: any WebSocketConnection) -> String? {
        // The node's name first: in a cluster it says where the connection lives.
        let id = "\(node)/\(Platform.newInvocationID())"
        return live.withLock { live in
            guard live.values.count(where: { $0.app == app }) < maxPerApp else { return nil }
            live[id] = (app, connection)
            return id
        }
    }

    public func remove(_ id: String) {
        live.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// The node a connection id names, when it is not this one.
    func remoteNode(of id: String) -> String? {
        guard let slash = id.lastIndex(of: "/") else { return nil }
        let node = String(id[..<slash])
        return node == self.node ? nil : node
    }

    /// Queues `message` for its connection on this node; false when there is no such connection.
    public func deliver(_ message: ForwardedWebSocket) -> Bool {
        guard let connection = connection(app: message.app, id: message.connection) else { return false }
        if message.close { connection.close() } else { connection.send(message.data) }
        return true
    }

    public func count(app: String) -> Int {
        live.withLock { $0.values.count { $0.app == app } }
    }

    private func connection(app: String, id: String) -> (any WebSocketConnection)? {
        live.withLock { live in live[id].flatMap { $0.app == app ? $0.connection : nil } }
    }
}
