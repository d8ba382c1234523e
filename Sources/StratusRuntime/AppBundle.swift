import StratusModel

/// An app as uploaded: its manifest text and the files of its folder that the manifest names
/// (modules, and the contents of its static and `files` folders).
public struct AppBundle: Sendable {
    public var manifest: String
    /// Path in the app folder → contents.
    public var files: [String: [UInt8]]

    public init(manifest: String, files: [String: [UInt8]]) {
        self.manifest = manifest
        self.files = files
    }

    /// Refuses a file path that could name something outside the app folder once joined to it.
    func checkPaths() throws {
        for path in files.keys {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0"),
                  !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw StratusError(.badRequest, code: "path_outside_app",
                                   "file `\(path)` is not a plain path inside the app folder (no leading /, no . or .. segments); move the file into the app folder")
            }
        }
    }
}
