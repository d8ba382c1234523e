/// Validation of the names users choose: apps, functions, variables, nodes.
public enum Names {
    /// An app name: `[a-z0-9-]`, 1 to 63 characters (USAGE.md).
    public static func isValidApp(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    /// A function name: `[A-Za-z0-9_-]`, 1 to 63 characters, so that `app/function` is unambiguous.
    public static func isValidFunction(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count) && name.utf8.allSatisfy(isWordByte)
    }

    /// A variable name: `[A-Za-z0-9_]`, 1 to 63 characters, so it is also a valid environment name.
    public static func isValidVariable(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count) && name.utf8.allSatisfy { isWordByte($0) && $0 != 0x2D }
    }

    /// A node name: `[A-Za-z0-9_.:-]`, 1 to 64 characters (a host and port is one).
    public static func isValidNodeName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { isWordByte($0) || $0 == 0x2E || $0 == 0x3A }
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (0x61...0x7A).contains(b) || (0x41...0x5A).contains(b) || (0x30...0x39).contains(b) || b == 0x5F || b == 0x2D
    }
}
