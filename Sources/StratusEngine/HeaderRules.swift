/// What a guest may put in a response header.
enum HeaderRules {
    static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        return !bytes.isEmpty && bytes.count <= 256 && bytes.allSatisfy(isTokenByte)
    }

    static func isValidValue(_ value: String) -> Bool {
        value.utf8.count <= 8192 && !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    /// RFC 9110's token characters (visible ASCII but separators) as a bit set, checked per
    /// byte on every header a guest sets: a search of the separators string cost more than
    /// the rest of the header's way to the response.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        byte < 64 ? tokenLow >> byte & 1 == 1 : byte < 128 && tokenHigh >> (byte - 64) & 1 == 1
    }

    private static let (tokenLow, tokenHigh): (UInt64, UInt64) = {
        var (low, high): (UInt64, UInt64) = (0, 0)
        for byte in UInt8(0x21)..<0x7F where !"()<>@,;:\\\"/[]?={}".utf8.contains(byte) {
            if byte < 64 { low |= 1 << byte } else { high |= 1 << (byte - 64) }
        }
        return (low, high)
    }()
}
