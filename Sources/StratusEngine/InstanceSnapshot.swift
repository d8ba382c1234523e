import WasmKit

/// The state of a pooled instance right after set-up (memories, mutable globals, tables),
/// and putting the instance back to exactly that state after an invocation, so nothing one
/// invocation leaves behind is seen by the next.
final class InstanceSnapshot {
    private struct MemoryImage {
        let memory: Memory
        let byteCount: Int
        /// The pages that were not all zero, by page index; the others are zeroed on restore.
        let pages: [Int: [UInt8]]
    }

    static let pageSize = 64 << 10
    /// How far past its snapshot a memory may have grown and still be put back: the grown
    /// pages are zeroed and kept (WebAssembly memories cannot shrink). Past this, the instance
    /// is dropped instead.
    static let growthAllowance = 16 << 20

    private let memories: [MemoryImage]
    private let globals: [(global: Global, value: Value)]
    private let tables: [(table: Table, elements: [Reference])]

    /// Reads `instance`'s state through the exports `layout` added. Nil if one is missing.
    init?(_ instance: Instance, _ layout: StateExports) {
        var memories: [MemoryImage] = []
        for name in layout.memories {
            guard let memory = instance.exports[memory: name] else { return nil }
            var pages: [Int: [UInt8]] = [:]
            let byteCount = memory.byteCount
            for page in 0..<(byteCount / Self.pageSize) {
                memory.withUnsafeBufferPointer(offset: UInt(page * Self.pageSize), count: Self.pageSize) { bytes in
                    if bytes.contains(where: { $0 != 0 }) { pages[page] = Array(bytes) }
                }
            }
            memories.append(MemoryImage(memory: memory, byteCount: byteCount, pages: pages))
        }
        var globals: [(Global, Value)] = []
        for name in layout.globals {
            guard let global = instance.exports[global: name] else { return nil }
            globals.append((global, global.value))
        }
        var tables: [(Table, [Reference])] = []
        for name in layout.tables {
            guard let table = instance.exports[table: name] else { return nil }
            tables.append((table, (0..<Int(table.type.limits.min)).map { table[$0] }))
        }
        self.memories = memories
        self.globals = globals
        self.tables = tables
    }

    /// Bytes of memory the instance holds, for the pools' budget.
    var memoryBytes: Int {
        memories.reduce(0) { $0 + $1.memory.byteCount }
    }

    /// Puts the instance back to the snapshot; false when it cannot be (its memory grew past the
    /// allowance), and then it must not be used again.
    func restore() -> Bool {
        for image in memories where image.memory.byteCount > image.byteCount + Self.growthAllowance {
            return false
        }
        for image in memories where image.memory.byteCount > 0 {
            let memory = image.memory
            memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.byteCount) { bytes in
                for page in 0..<(image.byteCount / Self.pageSize) {
                    let start = page * Self.pageSize
                    let target = UnsafeMutableRawBufferPointer(rebasing: bytes[start..<(start + Self.pageSize)])
                    if let saved = image.pages[page] {
                        saved.withUnsafeBytes { target.copyMemory(from: $0) }
                    } else {
                        target.initializeMemory(as: UInt8.self, repeating: 0)
                    }
                }
                if bytes.count > image.byteCount {
                    UnsafeMutableRawBufferPointer(rebasing: bytes[image.byteCount...]).initializeMemory(as: UInt8.self, repeating: 0)
                }
            }
        }
        for (global, value) in globals {
            try? global.assign(value)
        }
        for (table, elements) in tables {
            for (index, element) in elements.enumerated() { table[index] = element }
        }
        return true
    }
}
