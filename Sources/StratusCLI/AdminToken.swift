import Foundation
import StratusModel

/// The admin token: `STRATUS_TOKEN` if set, else the one in `DIR/admin-token`, made on first start
/// with mode 0600.
enum AdminToken {
    static func resolve(given: String?, dataDirectory: String) throws -> (token: String, file: String?) {
        if let given, !given.isEmpty { return (given, nil) }
        let file = (dataDirectory as NSString).appendingPathComponent("admin-token")
        if let text = try? String(contentsOfFile: file, encoding: .utf8) {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty { return (token, file) }
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
        guard FileManager.default.createFile(atPath: file, contents: Data((token + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw StratusError(.internalFailure, code: "token_write", "cannot write the admin token to \(file); check the folder's permissions")
        }
        return (token, file)
    }
}
