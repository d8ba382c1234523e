/// An app as uploaded: its manifest text and the files of its folder that the manifest names.
public struct AppBundle: Sendable {
    public var manifest: String
    /// Path in the app folder → contents.
    public var files: [String: [UInt8]]

    public init(manifest: String, files: [String: [UInt8]]) {
        self.manifest = manifest
        self.files = files
    }
}
