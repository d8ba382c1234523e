/// Unsigned LEB128, the variable-length integers of the WebAssembly binary format.
public enum LEB128 {
    /// The value starting at `start`, and how many bytes it took; nil when it runs past the end
    /// or past 64 bits.
    public static func read(_ bytes: [UInt8], at start: Int) -> (value: UInt64, length: Int)? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = start
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            value |= UInt64(byte & 0x7F) << shift
            index += 1
            if byte & 0x80 == 0 { return (value, index - start) }
            shift += 7
        }
        return nil
    }

    /// `value` in as few bytes as it takes.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }
}
