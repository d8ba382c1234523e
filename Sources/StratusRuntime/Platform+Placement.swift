import Foundation
import StratusEngine
import StratusModel
import StratusStore

/// Which node runs what. A request or call runs on the node it reaches when that node serves the
/// function's `affinity` (every node holds every app compiled, and a hop costs more than a cold
/// instance); otherwise it is forwarded to the node placement chooses among those that do.
/// Event work is placed when it is added, and the chosen node claims it (see ``ClaimScope``).
extension Platform {
    /// The node `spec` must run on when that is not this one; nil to run here.
    func placement(of spec: FunctionSpec, in app: DeployedApp) throws(InvocationFailure) -> NodeRecord? {
        guard !cluster.node.serves(spec.affinity) else { return nil }
        guard let node = cluster.place(PlacementKey.call(app: app.name, function: spec.name), affinity: spec.affinity) else {
            throw InvocationFailure(noEligibleNode(app.name, spec), logs: [])
        }
        return node
    }

    /// The node to place event work of `function` of `app` on, by `key`: nil when none of the
    /// live nodes serves its affinity (whichever node claims the event then retries placing it).
    func eventNode(_ key: String, app: String, function: String) -> String? {
        let affinity = self.app(named: app)?.manifest.function(named: function)?.affinity ?? []
        return cluster.place(key, affinity: affinity)?.name
    }

    /// A spawn's outbox event, placed.
    func spawnEvent(app: String, function: String, input: [UInt8]) -> EventRecord {
        EventRecord(app: app, function: function, kind: .async, payload: input,
                    placedOn: eventNode(PlacementKey.spawn(app: app, function: function), app: app, function: function))
    }

    func forwardedCall(_ app: DeployedApp, _ spec: FunctionSpec, input: [UInt8], context: [String: String], _ at: Position) -> ForwardedCall {
        let timeLeft = at.deadline.map { deadline -> Int64 in
            let left = (deadline - .now).components
            return max(1, left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000)
        }
        return ForwardedCall(app: app.name, function: spec.name, context: context, depth: at.depth, timeLeftMs: timeLeft, input: input)
    }

    /// How long to wait for a forwarded call: the function's own limit (the other node enforces
    /// it) and a second for the trip, no later than the caller's deadline.
    func forwardDeadline(_ spec: FunctionSpec, _ at: Position) -> ContinuousClock.Instant {
        let own = limits(of: spec).deadline + .seconds(1)
        return at.deadline.map { min($0, own) } ?? own
    }

    private func noEligibleNode(_ app: String, _ spec: FunctionSpec) -> StratusError {
        let live = cluster.liveNodes.map { $0.tags.isEmpty ? $0.name : "\($0.name) [\($0.tags.joined(separator: ","))]" }
        return StratusError(.unavailable, code: "no_eligible_node",
                            "function `\(spec.name)` of app `\(app)` runs only on nodes named or tagged \(spec.affinity.joined(separator: " or ")) (its affinity), and no live node is (live: \(live.joined(separator: ", "))); start a node with --tags \(spec.affinity[0]), or change the affinity")
    }

    /// `ws_send` or `ws_close`: delivered here when the connection is this node's, else handed
    /// to the node that holds it (NOT_FOUND when that node is gone, FAILED when it does not answer).
    func webSocket(_ message: ForwardedWebSocket, deadline: ContinuousClock.Instant) -> HostResult<Void> {
        guard let name = webSockets.remoteNode(of: message.connection) else {
            return webSockets.deliver(message) ? .success(()) : .failure(.notFound)
        }
        guard let node = cluster.liveNodes.first(where: { $0.name == name }), let secret = cluster.secret else { return .failure(.notFound) }
        let forwarder = self.forwarder
        let delivered = ThreadWait.run { await forwarder.webSocket(message, on: node, secret: secret, deadline: deadline) }
        switch delivered {
        case true?: return .success(())
        case false?: return .failure(.notFound)
        case nil: return .failure(.failed)
        }
    }
}
