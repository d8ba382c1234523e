import Foundation
import StratusEngine
import StratusModel
import StratusRuntime
import StratusStore
import Testing

/// The choices every node must make alike: where a key's work goes, and how much moves when a
/// node joins.
@Suite struct PlacementTests {
    static func nodes(_ names: [String], weights: [Double]? = nil) -> [NodeRecord] {
        names.enumerated().map { NodeRecord(name: $0.element, address: "http://n", weight: weights?[$0.offset] ?? 1) }
    }

    static let keys = (0..<6000).map { "app/f/key-\($0)" }

    func counts(_ policy: Placement, _ nodes: [NodeRecord]) -> [String: Int] {
        Self.keys.reduce(into: [:]) { counts, key in counts[policy.choose(key, among: nodes)!.name, default: 0] += 1 }
    }

    @Test(arguments: [Placement.hash, .straw2]) func theSameKeyGoesToTheSameNodeWhateverTheOrder(_ policy: Placement) {
        let nodes = Self.nodes(["a", "b", "c"])
        for key in Self.keys.prefix(200) {
            #expect(policy.choose(key, among: nodes)?.name == policy.choose(key, among: nodes.reversed())?.name)
        }
    }

    @Test(arguments: Placement.allCases) func workSpreadsInProportionToWeight(_ policy: Placement) {
        let even = counts(policy, Self.nodes(["a", "b", "c"]))
        for name in ["a", "b", "c"] {
            #expect((1700...2300).contains(even[name] ?? 0), "\(policy): \(even)")
        }
        guard policy != .hash else { return }  // plain hashing has no weights
        let weighted = counts(policy, Self.nodes(["a", "b"], weights: [1, 3]))
        let share = Double(weighted["b"] ?? 0) / Double(Self.keys.count)
        #expect(abs(share - 0.75) < 0.03, "\(policy): \(weighted)")
    }

    /// straw2's point: a node joining takes only the keys it wins, a quarter here, and no key
    /// moves between the nodes that were there; plain hashing reshuffles most keys.
    @Test func aJoiningNodeMovesOnlyTheKeysItWinsUnderStraw2() {
        let before = Self.nodes(["a", "b", "c"]), after = Self.nodes(["a", "b", "c", "d"])
        var moved = 0, movedElsewhere = 0, hashMoved = 0
        for key in Self.keys {
            let old = Placement.straw2.choose(key, among: before)!.name, new = Placement.straw2.choose(key, among: after)!.name
            if old != new { moved += 1 }
            if old != new && new != "d" { movedElsewhere += 1 }
            if Placement.hash.choose(key, among: before)!.name != Placement.hash.choose(key, among: after)!.name { hashMoved += 1 }
        }
        #expect(movedElsewhere == 0)
        #expect(abs(Double(moved) / Double(Self.keys.count) - 0.25) < 0.03)
        #expect(Double(hashMoved) / Double(Self.keys.count) > 0.6)
    }

    @Test func noNodeForNoCandidatesOrNoWeight() {
        #expect(Placement.straw2.choose("k", among: []) == nil)
        #expect(Placement.random.choose("k", among: Self.nodes(["a"], weights: [0])) == nil)
    }

    @Test func affinityMatchesANodesNameOrOneOfItsTags() {
        let node = NodeRecord(name: "n2", address: "http://n", tags: ["gpu", "big"])
        #expect(node.serves([]))
        #expect(node.serves(["gpu"]) && node.serves(["n2"]) && node.serves(["edge", "big"]))
        #expect(!node.serves(["edge"]) && !node.serves(["n1"]))
    }

    @Test func aForwardedCallAndItsAnswerCrossTheWireIntact() throws {
        let call = ForwardedCall(app: "a", function: "f", context: ["trigger": "http", "header.x": "1"], depth: 3, timeLeftMs: 250,
                                 input: [0, 1, 0xFF])
        #expect(try ForwardedCall(decoding: call.encoded()) == call)
        let output = InvocationOutput(status: 201, headers: [Header("X-A", "b")], body: [9, 0, 9], logs: [LogLine(.warn, "careful", source: .stderr)])
        let back = try ForwardedAnswer.decode(ForwardedAnswer.encode(.success(output))).get()
        #expect(back.status == 201 && back.headers == output.headers && back.body == output.body && back.logs == output.logs)
        let failure = InvocationFailure(StratusError(.timeout, code: "timeout", "f ran past 10 ms"), logs: [LogLine(.info, "started")])
        guard case .failure(let got) = try ForwardedAnswer.decode(ForwardedAnswer.encode(.failure(failure))) else {
            Issue.record("a failure came back as a success")
            return
        }
        #expect(got.error == failure.error && got.logs == failure.logs)
        #expect(throws: StratusError.self) { try ForwardedCall(decoding: [200, 0, 0, 0, 1]) }
    }
}
