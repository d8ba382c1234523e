import Foundation
import StratusModel
import Yams

/// A cluster described in one YAML file (in the spirit of waverless's cluster config): the
/// store the nodes share and each node's address, tags and weight. `stratus serve --cluster
/// FILE --node NAME` takes its store, listening address and labels from the node's entry.
///
///     store: postgres://stratus:secret@db.internal:5432/stratus
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
    }
}
