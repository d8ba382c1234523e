import Foundation
import Synchronization

/// A progress line on standard error, redrawn in place at most ten times a second, and only
/// when standard error is a terminal: scripts and logs get the final summary alone.
final class ProgressLine: Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(_ label: String) {
        self.label = label
    }

    /// `done` bytes of `total` (when known), and `items` when counted.
    func update(bytes done: Int, of total: Int? = nil, items: Int? = nil) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let due = last.withLock { last in
            guard last.map({ now - $0 >= .milliseconds(100) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        var text = "\r\(label) \(Self.size(done))"
        if let total, total > 0 { text += " of \(Self.size(total)) (\(done * 100 / total)%)" }
        if let items { text += ", \(items.formatted()) items" }
        FileHandle.standardError.write(Data((text + "\u{1B}[K").utf8))
    }

    /// Clears the line, so what follows starts at the left.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func size(_ bytes: Int) -> String {
        bytes < 1 << 20 ? "\(bytes.formatted()) B" : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }
}
