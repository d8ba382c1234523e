import Hummingbird

/// `Authorization: Bearer TOKEN` checked in constant time, so a token cannot be guessed from timing.
enum BearerToken {
    static func matches(_ request: Request, _ expected: String) -> Bool {
        let header = request.headers[.authorization] ?? ""
        let presented = header.hasPrefix("Bearer ") ? Array(header.utf8.dropFirst(7)) : []
        let expected = Array(expected.utf8)
        var difference = UInt8(presented.count == expected.count ? 0 : 1)
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < presented.count ? presented[index] : 0)
        }
        return difference == 0 && !expected.isEmpty
    }
}
