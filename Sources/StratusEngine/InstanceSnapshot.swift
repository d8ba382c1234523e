import Foundation
import Synchronization
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
    /// Whether the kernel tracks a memory's written pages (see `restoreWritten`).
    private enum Tracking {
        /// Compared on restore: too small for tracking to pay, or given up on (the memory
        /// grew or moved, or the guest wrote too much of it).
        case off
        /// Tracked from the instance's second restore on: registering costs about 20 µs,
        /// which an instance used once (a cold start) should not pay.
        case pending
        case on(DirtyPageTracker.Region)
    }

    private var tracking: [Tracking]
    private var restores = 0
    /// From this size on, restore copies back the pages written instead of comparing all.
    /// On this machine comparing costs about 15 µs a MiB; asking the kernel which pages were
    /// written, about 1.5 µs under load, which at 128 KiB is what comparing costs.
    static let trackedMinimum = 256 << 10
    /// Tracking stops for a memory once more than this fraction of it (1/2) has been written:
    /// copying those pages back on each restore then costs about what comparing all would.
    static let trackedMostWritten = 2
    private let globals: [(global: Global, value: Value)]
    private let tables: [(table: Table, elements: [Reference])]

    /// Reads `instance`'s state through the exports `layout` added. Nil if one is missing. A
    /// memory holding the same bytes as in `images` shares their pages instead of copying them.
    /// `releasing` gives the system back the memory's zero chunks: worth its system calls for
    /// an instance made ahead in the background, not on a request's path.
    init?(_ instance: Instance, _ layout: StateExports, like images: SnapshotImages, releasing: Bool) {
        let known = images.first
        var memories: [MemoryImage] = []
        var tracking: [Tracking] = []
        for (index, name) in layout.memories.enumerated() {
            guard let memory = instance.exports[memory: name] else { return nil }
            let byteCount = memory.byteCount
            let pages = if let known, index < known.count, known[index].byteCount == byteCount, Self.holds(memory, known[index].pages) {
                known[index].pages
            } else {
                Self.pages(of: memory)
            }
            memories.append(MemoryImage(memory: memory, byteCount: byteCount, pages: pages))
            if releasing { Self.releaseZeroChunks(memory) }
            tracking.append(byteCount >= Self.trackedMinimum && DirtyPageTracker.shared != nil ? .pending : .off)
        }
        if known == nil { images.remember(memories.map { SnapshotImages.Image(byteCount: $0.byteCount, pages: $0.pages) }) }
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
        self.tracking = tracking
        self.globals = globals
        self.tables = tables
    }

    /// The pages of `memory` that are not all zero.
    private static func pages(of memory: Memory) -> [Int: [UInt8]] {
        var pages: [Int: [UInt8]] = [:]
        for page in 0..<(memory.byteCount / pageSize) {
            memory.withUnsafeBufferPointer(offset: UInt(page * pageSize), count: pageSize) { bytes in
                if !same(bytes, nil) { pages[page] = Array(bytes) }
            }
        }
        return pages
    }

    /// Whether `memory` holds exactly `pages` (and zeros elsewhere).
    private static func holds(_ memory: Memory, _ pages: [Int: [UInt8]]) -> Bool {
        (0..<(memory.byteCount / pageSize)).allSatisfy { page in
            memory.withUnsafeBufferPointer(offset: UInt(page * pageSize), count: pageSize) { same($0, pages[page]) }
        }
    }

    /// Whether a page holds `saved`, or zeros when nil (compared with memcmp, which is vectorized).
    private static func same(_ bytes: UnsafeRawBufferPointer, _ saved: [UInt8]?) -> Bool {
        (saved ?? zeroPage).withUnsafeBytes { memcmp(bytes.baseAddress!, $0.baseAddress!, pageSize) == 0 }
    }

    private static let zeroPage = [UInt8](repeating: 0, count: pageSize)
    /// What restore compares and copies at a time: a page of the system's, so that one the
    /// invocation did not write is only read, and one never written stays unmapped.
    private static let chunk = 4096

    /// Gives the system back the chunks of `memory` that hold only zeros: they read as zeros
    /// until written and cost nothing meanwhile. A new instance's memory comes from the heap,
    /// resident where the heap was used before, so an idle instance would otherwise hold all of it.
    private static func releaseZeroChunks(_ memory: Memory) {
        guard memory.byteCount > 0 else { return }
        memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.byteCount) { bytes in
            let base = Int(bitPattern: bytes.baseAddress!)
            // Whole system pages inside the memory only: the heap's own bookkeeping lies outside.
            var offset = (chunk - base % chunk) % chunk
            var run: (start: Int, end: Int)?
            func flush() {
                if let run { madvise(bytes.baseAddress! + run.start, run.end - run.start, MADV_DONTNEED) }
                run = nil
            }
            while offset + chunk <= bytes.count {
                zeroPage.withUnsafeBytes { zero in
                    if memcmp(bytes.baseAddress! + offset, zero.baseAddress!, chunk) == 0 {
                        run = (run?.start ?? offset, offset + chunk)
                    } else {
                        flush()
                    }
                }
                offset += chunk
            }
            flush()
        }
    }

    /// Copies the chunks of `source` that differ from `target`'s.
    private static func copyChanged(from source: UnsafeRawBufferPointer, to target: UnsafeMutableRawBufferPointer) {
        for offset in stride(from: 0, to: source.count, by: chunk) where memcmp(source.baseAddress! + offset, target.baseAddress! + offset, chunk) != 0 {
            (target.baseAddress! + offset).copyMemory(from: source.baseAddress! + offset, byteCount: chunk)
        }
    }

    /// Zeroes the chunks of `target` that are not all zero. Each is compared with the same
    /// chunk of zeros, which stays in the first-level cache, so only `target` is streamed.
    private static func zeroChanged(_ target: UnsafeMutableRawBufferPointer) {
        zeroPage.withUnsafeBytes { zero in
            for offset in stride(from: 0, to: target.count, by: chunk) where memcmp(zero.baseAddress!, target.baseAddress! + offset, chunk) != 0 {
                (target.baseAddress! + offset).initializeMemory(as: UInt8.self, repeating: 0, count: chunk)
            }
        }
    }

    private static func track(_ memory: Memory) -> DirtyPageTracker.Region? {
        guard let tracker = DirtyPageTracker.shared else { return nil }
        return memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.byteCount) { tracker.track($0) }
    }

    /// Stops the kernel tracking the memories, before they are freed.
    func stopTracking() {
        for case .on(let range) in tracking { DirtyPageTracker.shared?.untrack(range) }
        tracking = tracking.map { _ in .off }
    }

    /// Copies `span` (offsets into the memory) back from `image`.
    private static func copy(_ image: MemoryImage, into bytes: UnsafeMutableRawBufferPointer, _ span: Range<Int>) {
        var offset = span.lowerBound
        while offset < span.upperBound {
            let page = offset / pageSize
            let end = min(span.upperBound, (page + 1) * pageSize)
            if let saved = image.pages[page] {
                saved.withUnsafeBytes { (bytes.baseAddress! + offset).copyMemory(from: $0.baseAddress! + offset - page * pageSize, byteCount: end - offset) }
            } else {
                (bytes.baseAddress! + offset).initializeMemory(as: UInt8.self, repeating: 0, count: end - offset)
            }
            offset = end
        }
    }

    /// Puts a tracked memory back by copying the pages written and the untracked edges; nil
    /// when the kernel did not answer, else how many bytes have been written (whole pages).
    ///
    /// Written pages are not protected again: a guest writes much the same pages each time
    /// (its stack, its buffers), and each write to a protected page costs a fault of about
    /// 1 µs. They stay counted as written and are copied back on every restore instead, which
    /// costs far less; only pages written for the first time fault.
    private static func restoreWritten(_ image: MemoryImage, _ bytes: UnsafeMutableRawBufferPointer, _ range: DirtyPageTracker.Region,
                                       _ tracker: DirtyPageTracker) -> Int? {
        guard let runs = tracker.written(range) else { return nil }
        copy(image, into: bytes, 0..<range.start)
        copy(image, into: bytes, range.end..<bytes.count)
        for run in runs { copy(image, into: bytes, run) }
        return runs.reduce(0) { $0 + $1.count }
    }

    /// Bytes of memory the instance holds, for the pools' budget.
    var memoryBytes: Int {
        memories.reduce(0) { $0 + $1.memory.byteCount }
    }

    /// Puts the instance back to the snapshot, copying only the chunks that changed; false when
    /// it cannot be (its memory grew past the allowance), and then it must not be used again.
    func restore() -> Bool {
        for image in memories where image.memory.byteCount > image.byteCount + Self.growthAllowance {
            return false
        }
        for (index, image) in memories.enumerated() where image.memory.byteCount > 0 {
            let memory = image.memory
            let current = tracking[index]
            let next = memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.byteCount) { bytes -> Tracking in
                if case .on(let range) = current, let tracker = DirtyPageTracker.shared {
                    // Unless it grew (WasmKit then moved it), only the pages written need copying back.
                    let written = bytes.count == image.byteCount && Int(bitPattern: bytes.baseAddress!) == range.base
                        ? Self.restoreWritten(image, bytes, range, tracker) : nil
                    // Compared from now on when that could not be done, or when the guest has written so
                    // much (a JavaScript heap) that copying it back costs what comparing would.
                    if let written, written * Self.trackedMostWritten <= bytes.count { return current }
                    tracker.untrack(range)
                    if written != nil { return .off }
                }
                for page in 0..<(image.byteCount / Self.pageSize) {
                    let start = page * Self.pageSize
                    let target = UnsafeMutableRawBufferPointer(rebasing: bytes[start..<(start + Self.pageSize)])
                    if let saved = image.pages[page] {
                        saved.withUnsafeBytes { Self.copyChanged(from: $0, to: target) }
                    } else {
                        Self.zeroChanged(target)
                    }
                }
                guard bytes.count == image.byteCount else {
                    UnsafeMutableRawBufferPointer(rebasing: bytes[image.byteCount...]).initializeMemory(as: UInt8.self, repeating: 0)
                    return .off
                }
                if case .on = current { return .off }
                return current
            }
            // Back to its snapshot here, so tracking may start: no page counts as written yet.
            if case .pending = next, restores > 0 {
                tracking[index] = Self.track(memory).map(Tracking.on) ?? .off
            } else {
                tracking[index] = next
            }
        }
        restores += 1
        for (global, value) in globals {
            try? global.assign(value)
        }
        for (table, elements) in tables {
            for (index, element) in elements.enumerated() { table[index] = element }
        }
        return true
    }
}

/// The memory images of a module's first snapshot. Later instances of the module, whose set-up
/// nearly always leaves the same bytes, share them instead of each holding a copy; an instance
/// whose set-up left other bytes keeps its own.
final class SnapshotImages: Sendable {
    struct Image: Sendable {
        let byteCount: Int
        let pages: [Int: [UInt8]]
    }

    private let images = Mutex<[Image]?>(nil)

    var first: [Image]? { images.withLock { $0 } }

    func remember(_ first: [Image]) {
        images.withLock { if $0 == nil { $0 = first } }
    }
}
