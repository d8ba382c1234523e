import Foundation
import StratusModel
import StratusRuntime
import Yams

/// A cluster described in one YAML file (in the spirit of waverless's cluster config): the
/// store the nodes share, how they place work, and each node's address, tags and weight.
/// `stratus serve --cluster FILE --node NAME` takes its store, listening address and labels
/// from the node's entry.
///
///     store: postgres://stratus:secret@db.internal:5432/stratus
///     placement: straw2
///     nodes:
///       n1: {address: http://10.0.0.1:8080, tags: [edge]}
///       n2: {address: http://10.0.0.2:8080, tags: [edge, big], weight: 2}
struct ClusterFile: Decodable {
    struct Node: Decodable {
        var address: String
        var tags: [String]?
        var weight: Double?
    }

    var store: String
    var placement: String?
    var nodes: [String: Node]

    static func read(_ path: String) throws -> ClusterFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read the cluster file \(path)")
        }
        let file: ClusterFile
        do {
            file = try YAMLDecoder().decode(ClusterFile.self, from: data)
        } catch {
            throw CLIError("\(path) is not a cluster file (`store:` and `nodes:` with an `address` each): \(error)")
        }
        for (name, node) in file.nodes {
            guard Names.isValidNodeName(name) else { throw CLIError("\(path): `\(name)` is not a node name (letters, digits, '.', ':', '_', '-')") }
            guard let url = URLComponents(string: node.address), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.port != nil else {
                throw CLIError("\(path): node \(name) has address `\(node.address)`; write http://HOST:PORT")
            }
            if let weight = node.weight, !(weight > 0) { throw CLIError("\(path): node \(name) has weight \(weight); a weight is above 0") }
            for tag in node.tags ?? [] where !Names.isValidNodeName(tag) {
                throw CLIError("\(path): node \(name) has tag `\(tag)`; a tag is 1 to 64 letters, digits, '.', ':', '_' or '-'")
            }
        }
        if let placement = file.placement, Placement(rawValue: placement) == nil {
            throw CLIError("\(path): placement `\(placement)` is not one of \(Placement.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return file
    }

    /// The entry of node `name` as a starting configuration (flags and variables then override it).
    func apply(to config: inout ServerConfiguration, node name: String, path: String) throws {
        guard let node = nodes[name] else {
            throw CLIError("\(path) has no node `\(name)`; it lists \(nodes.keys.sorted().joined(separator: ", "))")
        }
        let url = URLComponents(string: node.address)!
        config.storeURL = store
        config.advertise = node.address
        config.host = url.host!
        config.port = url.port!
        config.tls = url.scheme == "https"
        config.tags = node.tags ?? []
        config.weight = node.weight ?? 1
        config.placement = placement.flatMap(Placement.init(rawValue:)) ?? config.placement
    }
}
