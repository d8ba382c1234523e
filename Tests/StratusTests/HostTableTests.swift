import Foundation
import StratusEngine
import Testing

/// The host function table is the one declaration of the guest ABI: the reference users read
/// is made from it.
@Suite("Host function table")
struct HostTableTests {
    @Test("docs/ABI.md carries the index made from the table, unchanged")
    func referenceMatchesTable() throws {
        let doc = try String(contentsOf: Repository.root.appendingPathComponent("docs/ABI.md"), encoding: .utf8)
        let index = HostFunctionIndex.markdown
        #expect(doc.contains(index), "docs/ABI.md's host function index differs from the table; replace it with:\n\(index)")
    }
}
