import WasmParser

/// The names under which a rewritten module exports all of its mutable state: every defined
/// memory, table and mutable global, so the host can reach them. Only the export section
/// changes (its count and some entries appended), so no index moves and the code is untouched.
/// This is what lets a pooled instance be put back to its snapshot between invocations.
struct StateExports: Sendable {
    static let prefix = "stratus:state/"

    /// Export names of the state, in index order of their kind.
    let memories: [String]
    let tables: [String]
    let globals: [String]

    /// `binary` rewritten to export its state, and the names; nil when its state cannot be put
    /// back: a passive data or element segment, once dropped, cannot be restored, so such
    /// modules run in fresh instances.
    static func expose(_ binary: [UInt8]) -> (binary: [UInt8], exports: StateExports)? {
        var parser = Parser(bytes: binary)
        var memoryCount = 0, tableCount = 0
        var mutableGlobals: [Int] = []
        do {
            while let payload = try parser.parseNext() {
                switch payload {
                case .importSection(let imports):
                    // Compile refuses imports other than functions, so defined indices start at 0.
                    guard imports.allSatisfy({ if case .function = $0.descriptor { true } else { false } }) else { return nil }
                case .memorySection(let memories): memoryCount = memories.count
                case .tableSection(let tables): tableCount = tables.count
                case .globalSection(let globals):
                    mutableGlobals = globals.indices.filter { globals[$0].type.mutability == .variable }
                case .exportSection(let exports):
                    guard !exports.contains(where: { $0.name.hasPrefix(prefix) }) else { return nil }
                case .dataSection(let segments):
                    guard !segments.contains(where: { if case .passive = $0 { true } else { false } }) else { return nil }
                case .elementSection(let segments):
                    guard !segments.contains(where: { $0.mode == .passive }) else { return nil }
                default: break
                }
            }
        } catch {
            return nil
        }
        let memoryNames = (0..<memoryCount).map { "\(prefix)memory/\($0)" }
        let tableNames = (0..<tableCount).map { "\(prefix)table/\($0)" }
        let globalNames = mutableGlobals.map { "\(prefix)global/\($0)" }
        var added: [(name: String, kind: UInt8, index: Int)] = []
        added += memoryNames.enumerated().map { ($1, 2, $0) }
        added += tableNames.enumerated().map { ($1, 1, $0) }
        added += zip(globalNames, mutableGlobals).map { ($0, 3, $1) }
        guard let rewritten = appendExports(added, to: binary) else { return nil }
        return (rewritten, StateExports(memories: memoryNames, tables: tableNames, globals: globalNames))
    }

    /// `binary` with `added` appended to its export section, which it must have.
    private static func appendExports(_ added: [(name: String, kind: UInt8, index: Int)], to binary: [UInt8]) -> [UInt8]? {
        var offset = 8
        while offset < binary.count {
            let id = binary[offset]
            guard let (size, sizeLength) = LEB128.read(binary, at: offset + 1), size <= UInt64(binary.count) else { return nil }
            let body = offset + 1 + sizeLength
            let end = body + Int(size)
            guard end <= binary.count else { return nil }
            if id == 7 {
                guard let (count, countLength) = LEB128.read(binary, at: body) else { return nil }
                var section = LEB128.encode(count + UInt64(added.count))
                section += binary[(body + countLength)..<end]
                for export in added {
                    section += LEB128.encode(UInt64(export.name.utf8.count)) + Array(export.name.utf8)
                    section.append(export.kind)
                    section += LEB128.encode(UInt64(export.index))
                }
                return Array(binary[..<offset]) + [7] + LEB128.encode(UInt64(section.count)) + section + Array(binary[end...])
            }
            offset = end
        }
        return nil
    }
}
