import CDirtyPages
import Glibc

/// Which pages of a guest memory an invocation wrote, as the kernel saw them (see
/// dirty_pages.h), so that restoring a large memory copies back those pages instead of
/// comparing every page with the snapshot. Nil when the kernel cannot (Linux before 6.7,
/// or userfaultfd not permitted): restore then compares every page, as it does for small
/// memories anyway, where comparing costs no more than asking the kernel.
final class DirtyPageTracker: Sendable {
    static let shared = DirtyPageTracker()

    /// A tracked memory: its base address and the whole system pages inside it, as offsets
    /// from the base (the first and last partial pages are not tracked).
    struct Region {
        let base: Int
        let start: Int
        let end: Int
    }

    private let tracker: stratus_dirty_pages
    private static let page = Int(sysconf(Int32(_SC_PAGESIZE)))

    private init?() {
        var tracker = stratus_dirty_pages(uffd: -1, pagemap: -1)
        guard stratus_dirty_open(&tracker) == 0 else { return nil }
        self.tracker = tracker
        guard probe() else {
            Glibc.close(tracker.uffd)
            Glibc.close(tracker.pagemap)
            return nil
        }
    }

    /// Starts tracking the whole pages of `bytes`; nil when they are too few or the kernel refuses.
    func track(_ bytes: UnsafeMutableRawBufferPointer) -> Region? {
        guard let pointer = bytes.baseAddress else { return nil }
        let base = Int(bitPattern: pointer)
        let start = (base + Self.page - 1) / Self.page * Self.page - base
        let end = (base + bytes.count) / Self.page * Self.page - base
        guard end > start, stratus_dirty_track(tracker, UInt(base + start), UInt(end - start)) == 0 else { return nil }
        return Region(base: base, start: start, end: end)
    }

    func untrack(_ range: Region) {
        _ = stratus_dirty_untrack(tracker, UInt(range.base + range.start), UInt(range.end - range.start))
    }

    /// The runs of pages written since `range` was tracked, as offsets from its base; nil when
    /// the kernel did not answer (then every page must be compared).
    func written(_ range: Region) -> [Range<Int>]? {
        var runs: [Range<Int>] = []
        var from = UInt(range.base + range.start)
        let end = UInt(range.base + range.end)
        // On the stack: this runs on every restore.
        return withUnsafeTemporaryAllocation(of: UInt.self, capacity: 128) { found -> [Range<Int>]? in
            while from < end {
                var walkEnd: UInt = 0
                let count = stratus_dirty_written(tracker, from, end, found.baseAddress!, 64, &walkEnd)
                guard count >= 0, walkEnd > from || count > 0 else { return nil }
                for index in 0..<count {
                    runs.append((Int(found[2 * index]) - range.base)..<(Int(found[2 * index + 1]) - range.base))
                }
                from = walkEnd
            }
            return runs
        }
    }

    /// Whether tracking does what restore relies on here: a newly tracked range counts as
    /// unwritten, and a page written then is reported.
    private func probe() -> Bool {
        let length = 3 * Self.page
        guard let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else { return false }
        defer { munmap(mapped, length) }
        let bytes = UnsafeMutableRawBufferPointer(start: mapped, count: length)
        guard let range = track(bytes) else { return false }
        defer { untrack(range) }
        guard written(range) == [] else { return false }
        bytes[Self.page + 7] = 1
        return written(range) == [Self.page..<(2 * Self.page)]
    }
}
