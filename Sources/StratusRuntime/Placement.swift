import Foundation
import StratusStore

/// How a cluster chooses the node for a piece of work among the live nodes it may run on. Every
/// node computes the same choice from the same key and node list, so none needs to ask another.
public enum Placement: String, Sendable, CaseIterable {
    /// A node at random, in proportion to the weights: even spread, no locality.
    case random
    /// The key's hash modulo the number of nodes (by name): a key keeps its node while the
    /// membership holds, but most keys move when a node comes or goes.
    case hash
    /// Weighted rendezvous hashing, as Ceph's CRUSH straw2 bucket: each node draws
    /// `ln(u) / weight` from a hash of the key and its name, and the longest draw wins. A node
    /// joining takes only the keys it wins, in proportion to its weight; one leaving gives up
    /// only its own.
    case straw2

    /// The node for `key` among `nodes` (nodes of no weight never win); nil when there is none.
    public func choose(_ key: String, among nodes: [NodeRecord]) -> NodeRecord? {
        let candidates = nodes.filter { $0.weight > 0 }
        guard !candidates.isEmpty else { return nil }
        switch self {
        case .random:
            var point = Double.random(in: 0..<candidates.reduce(0) { $0 + $1.weight })
            for node in candidates {
                point -= node.weight
                if point < 0 { return node }
            }
            return candidates.last
        case .hash:
            let sorted = candidates.sorted { $0.name < $1.name }
            return sorted[Int(Self.hash(key) % UInt64(sorted.count))]
        case .straw2:
            let keyHash = Self.hash(key)
            return candidates.max { a, b in
                let (drawA, drawB) = (Self.draw(keyHash, a), Self.draw(keyHash, b))
                return drawA == drawB ? a.name > b.name : drawA < drawB
            }
        }
    }

    /// straw2's draw: `u` in (0, 1] from the key and the node's name, so `ln(u)` is at most 0
    /// and a larger weight brings the draw nearer 0.
    private static func draw(_ keyHash: UInt64, _ node: NodeRecord) -> Double {
        let mixed = mix(keyHash ^ hash(node.name))
        let unit = Double((mixed >> 11) + 1) / Double(1 << 53)
        return log(unit) / node.weight
    }

    /// FNV-1a, then a finalizer: the same on every node and every run (Swift's `Hasher` is
    /// seeded per process, so it would not be).
    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return mix(value)
    }

    /// splitmix64's finalizer: every input bit moves about half of the output bits.
    private static func mix(_ input: UInt64) -> UInt64 {
        var z = input &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension NodeRecord {
    /// Whether work with this affinity may run here: no affinity, or one of its entries is
    /// this node's name or one of its tags.
    public func serves(_ affinity: [String]) -> Bool {
        affinity.isEmpty || affinity.contains { $0 == name || tags.contains($0) }
    }
}

/// The keys work is placed by. Work of one function and key lands on one node (while the
/// membership holds), so the writes to a key are handled where the previous ones were.
public enum PlacementKey {
    /// A direct call or request: by function, so its instances stay warm on one node.
    public static func call(app: String, function: String) -> String { "\(app)/\(function)" }

    /// The event of a KV trigger: by function and written key.
    public static func kv(app: String, function: String, key: [UInt8]) -> String {
        "\(app)/\(function)/" + String(decoding: key, as: UTF8.self)
    }

    /// A cron tick: by function and tick time.
    public static func cron(app: String, function: String, tick: Date) -> String {
        "\(app)/\(function)@\(tick.timeIntervalSince1970)"
    }

    /// A spawn has no key of its own: a fresh one spreads spawns over the nodes.
    public static func spawn(app: String, function: String) -> String {
        "\(app)/\(function)#\(Platform.newInvocationID())"
    }
}
