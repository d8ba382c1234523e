import Foundation
import StratusModel

/// A file of a static folder, ready to serve.
public struct StaticFile: Sendable {
    public var bytes: [UInt8]
    public var sha256: String
    /// Its path in the app folder; the extension gives its type.
    public var path: String
    /// When the app version serving it was deployed.
    public var modified: Date
}

/// What a path under a static folder names.
public enum StaticLookup: Sendable {
    case file(StaticFile)
    /// A folder with an `index.html`, asked for without the trailing `/` its relative links need.
    case folder
    case notFound
}

extension Platform {
    /// The file at `path` (as the route matched it, percent-decoded) in `folder` of `app`; a
    /// folder's `index.html` for a path that is empty or ends in `/`. A path with `.` or `..`
    /// segments names nothing: only the folder's own files are served.
    public func staticFile(app appName: String, folder: String, path: String) async throws -> StaticLookup {
        let segments = path.split(separator: "/")
        guard let app = app(named: appName), !segments.contains(where: { $0 == "." || $0 == ".." }) else { return .notFound }
        let base = ([Substring(folder)] + segments).joined(separator: "/")
        let files = app.record.files
        let key: String
        if path.isEmpty || path.hasSuffix("/") {
            key = base + "/index.html"
        } else if files[base] == nil, files[base + "/index.html"] != nil {
            return .folder
        } else {
            key = base
        }
        guard let sha = files[key] else { return .notFound }
        let bytes: [UInt8]
        if let cached = fileCache.get(sha) {
            bytes = cached
        } else {
            guard let stored = try await store.module(sha256: sha) else {
                throw StratusError(.internalFailure, code: "file_missing", "file \(key) of app \(appName) is missing from the store; deploy the app again")
            }
            fileCache.put(sha, stored)
            bytes = stored
        }
        return .file(StaticFile(bytes: bytes, sha256: sha, path: key, modified: app.record.deployedAt))
    }
}
