import ArgumentParser
import Foundation
import StratusHTTP

struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes", abstract: "List the cluster's live nodes with their heartbeats, tags and load.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let reply = try await options.client().expectSuccess(.GET, "/_stratus/nodes")
        let list = try AdminJSONDecoding.decode(NodeList.self, reply.body)
        let now = Date()
        let rows = list.nodes.map { node in
            [node.name + (node.this ? " *" : ""), node.address.isEmpty ? "-" : node.address,
             node.tags.isEmpty ? "-" : node.tags.joined(separator: ","), String(format: "%g", node.weight), String(node.load),
             String(format: "%.1f s ago", max(0, now.timeIntervalSince(node.heartbeatAt))),
             ISO8601DateFormatter().string(from: node.startedAt)]
        }
        let header = ["NODE", "ADDRESS", "TAGS", "WEIGHT", "LOAD", "HEARTBEAT", "STARTED"]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        for row in [header] + rows {
            print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
        print("* the node that answered")
    }
}
