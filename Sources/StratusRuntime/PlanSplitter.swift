/// The ways a plan cuts its input into parts.
enum PlanSplitter {
    private static let newline = UInt8(ascii: "\n")

    /// Parts of `count` lines each; the last may have fewer or lack its line end.
    static func lines(_ input: [UInt8], _ count: Int) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        var seen = 0
        for index in input.indices where input[index] == newline {
            seen += 1
            if seen == count {
                parts.append(Array(input[start...index]))
                start = index + 1
                seen = 0
            }
        }
        if start < input.count { parts.append(Array(input[start...])) }
        return parts
    }

    /// Parts of at most `size` bytes, each cut after its last line end; a line longer than
    /// `size` is a part of its own, so no line is ever cut.
    static func bytes(_ input: [UInt8], _ size: Int) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        while start < input.count {
            var end = min(start + size, input.count)
            if end < input.count {
                if let last = input[start..<end].lastIndex(of: newline) {
                    end = last + 1
                } else {
                    end = input[end...].firstIndex(of: newline).map { $0 + 1 } ?? input.count
                }
            }
            parts.append(Array(input[start..<end]))
            start = end
        }
        return parts
    }

    /// A split function's output, `[u32 LE length][bytes]` per part; nil when the frames do not
    /// add up to the whole output.
    static func unframe(_ bytes: [UInt8]) -> [[UInt8]]? {
        var parts: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { return nil }
            let length = (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
            offset += 4
            guard bytes.count - offset >= length else { return nil }
            parts.append(Array(bytes[offset..<(offset + length)]))
            offset += length
        }
        return parts
    }
}
