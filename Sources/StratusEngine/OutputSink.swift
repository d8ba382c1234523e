import Synchronization

/// The response body a guest writes, through `out_write`, `write_buffer` on the output buffer,
/// standard output or `api://output`: one sink, so the writes keep their order.
final class OutputSink: Sendable {
    private let state = Mutex<[UInt8]>([])
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Appends `bytes`; false when that would pass the limit (nothing is written then).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        state.withLock { body in
            guard body.count + bytes.count <= limit else { return false }
            // Most bodies are small and come in a few writes: one allocation for them all.
            if body.isEmpty { body.reserveCapacity(max(bytes.count, 256)) }
            body.append(contentsOf: bytes)
            return true
        }
    }

    var bytes: [UInt8] { state.withLock { $0 } }

    /// Empties it for the next invocation (what it held lives on in that invocation's output).
    func reset() {
        state.withLock { $0 = [] }
    }
}

/// Log lines of one invocation, bounded in total size.
final class LogSink: Sendable {
    private struct State {
        var lines: [LogLine] = []
        var bytes = 0
        var truncated = false
    }
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func append(_ level: LogLine.Level, _ message: String, source: LogLine.Source = .log) {
        state.withLock { s in
            guard !s.truncated else { return }
            if s.bytes + message.utf8.count > limit {
                s.truncated = true
                s.lines.append(LogLine(.warn, "[log truncated at \(limit) bytes]"))
                return
            }
            s.bytes += message.utf8.count
            s.lines.append(LogLine(level, message, source: source))
        }
    }

    var lines: [LogLine] { state.withLock { $0.lines } }

    func reset() {
        state.withLock { $0 = State() }
    }
}
