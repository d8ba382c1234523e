/// A KV key pattern of the manifest (USAGE.md): literal text where `{}` stands for one run of
/// `[A-Za-z0-9_.-]` and a final `*` for any suffix.
public struct KeyPattern: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case literal([UInt8])
        case segment
    }

    let parts: [Part]
    let anySuffix: Bool
    public let description: String

    public init(parsing text: String) throws(StratusError) {
        guard !text.isEmpty, text.utf8.count <= 512 else {
            throw StratusError(.badRequest, code: "pattern_invalid", "key pattern `\(text)` must be 1 to 512 bytes")
        }
        var bytes = Array(text.utf8)
        anySuffix = bytes.last == 0x2A
        if anySuffix { bytes.removeLast() }
        guard !bytes.contains(0x2A) else {
            throw StratusError(.badRequest, code: "pattern_invalid", "key pattern `\(text)`: `*` may only end the pattern")
        }
        var parts: [Part] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x7B {
                guard index + 1 < bytes.count, bytes[index + 1] == 0x7D else {
                    throw StratusError(.badRequest, code: "pattern_invalid", "key pattern `\(text)`: `{` must be followed by `}` (write `{}` for one segment)")
                }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = []
                if case .segment? = parts.last {
                    throw StratusError(.badRequest, code: "pattern_invalid", "key pattern `\(text)`: `{}{}` is ambiguous; separate them")
                }
                parts.append(.segment)
                index += 2
            } else if bytes[index] == 0x7D {
                throw StratusError(.badRequest, code: "pattern_invalid", "key pattern `\(text)`: `}` without `{`")
            } else {
                literal.append(bytes[index])
                index += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
        self.description = text
    }

    static func isSegmentByte(_ b: UInt8) -> Bool {
        (0x61...0x7A).contains(b) || (0x41...0x5A).contains(b) || (0x30...0x39).contains(b) || b == 0x5F || b == 0x2E || b == 0x2D
    }

    /// Whether `key` matches the whole pattern.
    public func matches(_ key: some Collection<UInt8>) -> Bool {
        match(0, Array(key)[...])
    }

    private func match(_ index: Int, _ rest: ArraySlice<UInt8>) -> Bool {
        guard index < parts.count else { return rest.isEmpty || anySuffix }
        switch parts[index] {
        case .literal(let text):
            return rest.starts(with: text) && match(index + 1, rest.dropFirst(text.count))
        case .segment:
            // The run may stop early when the next literal itself holds segment characters.
            let run = rest.prefix(while: Self.isSegmentByte).count
            return stride(from: run, through: 1, by: -1).contains { match(index + 1, rest.dropFirst($0)) }
        }
    }

    /// Whether some key starting with `prefix` could match: a scan of `prefix` may touch keys of
    /// this pattern.
    public func mayMatchKeys(withPrefix prefix: [UInt8]) -> Bool {
        var rest = prefix[...]
        for part in parts {
            if rest.isEmpty { return true }
            switch part {
            case .literal(let text):
                let n = min(text.count, rest.count)
                guard rest.prefix(n).elementsEqual(text.prefix(n)) else { return false }
                rest = rest.dropFirst(n)
            case .segment:
                let run = rest.prefix(while: Self.isSegmentByte)
                rest = rest.dropFirst(run.count)
            }
        }
        return rest.isEmpty || anySuffix
    }
}

/// What a grant allows, as USAGE.md names it. `set` covers every write: `kv_set`, `kv_cas`, `kv_incr`.
public enum KVOperation: String, Sendable, Hashable, CaseIterable {
    case get, set, delete, scan
}

/// One `kv:` entry of a function: a pattern and the operations it allows.
public struct KVGrant: Sendable, Hashable {
    public var pattern: KeyPattern
    public var operations: Set<KVOperation>

    public init(pattern: KeyPattern, operations: Set<KVOperation>) {
        self.pattern = pattern
        self.operations = operations
    }
}
