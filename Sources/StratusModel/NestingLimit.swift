/// Refuses text nested deeper than a parser's recursion can take: Yams and WasmKit's WAT parser
/// recurse once per level on the calling thread's stack, so a small document nested thousands
/// deep would crash the server instead of failing its deploy.
public enum NestingLimit {
    /// The deepest a manifest may nest; real ones stay under ten.
    public static let manifest = 64
    /// The deepest WebAssembly text may nest (blocks in blocks, folded expressions).
    public static let wat = 1000

    /// The deepest nesting of `[`/`{` (YAML flow collections), of `- ` items opening on one line,
    /// or of indentation (in spaces) in `yaml`; quoted text and comments are skipped.
    static func yamlDepth(_ yaml: String) -> Int {
        var deepest = 0
        var flow = 0
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var index = bytes.prefix { $0 == 0x20 }.count
            deepest = max(deepest, index / 2)
            var dashes = 0
            while index + 1 < bytes.count, bytes[index] == 0x2D, bytes[index + 1] == 0x20 {  // "- "
                dashes += 1
                index += 2
                while index < bytes.count, bytes[index] == 0x20 { index += 1 }
            }
            deepest = max(deepest, dashes)
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == 0x22 || byte == 0x27 {
                    quote = byte
                } else if byte == 0x23, index == 0 || bytes[index - 1] == 0x20 {
                    break  // a comment runs to the end of the line
                } else if byte == 0x5B || byte == 0x7B {
                    flow += 1
                    deepest = max(deepest, flow)
                } else if byte == 0x5D || byte == 0x7D {
                    flow = max(0, flow - 1)
                }
                index += 1
            }
        }
        return deepest
    }

    /// The deepest nesting of parentheses in WebAssembly text, skipping strings and comments.
    public static func watDepth(_ wat: String) -> Int {
        let bytes = Array(wat.utf8)
        var deepest = 0
        var depth = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x22:  // a string: skip to its closing quote, past escapes
                index += 1
                while index < bytes.count, bytes[index] != 0x22 {
                    index += bytes[index] == 0x5C ? 2 : 1
                }
            case 0x3B where index + 1 < bytes.count && bytes[index + 1] == 0x3B:  // ;; line comment
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            case 0x28 where index + 1 < bytes.count && bytes[index + 1] == 0x3B:  // (; block comment ;)
                index += 2
                while index + 1 < bytes.count, !(bytes[index] == 0x3B && bytes[index + 1] == 0x29) { index += 1 }
                index += 1
            case 0x28:
                depth += 1
                deepest = max(deepest, depth)
            case 0x29:
                depth = max(0, depth - 1)
            default:
                break
            }
            index += 1
        }
        return deepest
    }
}
