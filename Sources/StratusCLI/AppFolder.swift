import Foundation
import StratusModel
import StratusRuntime

/// Reads an app folder (or the folder of a manifest path) into an upload.
public enum AppFolder {
    public static func read(_ path: String) throws -> AppBundle {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("\(path) does not exist; give an app folder or its \(AppManifest.fileName)")
        }
        let folder = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let manifestPath = isDirectory.boolValue ? (path as NSString).appendingPathComponent(AppManifest.fileName) : path
        guard let text = FileManager.default.contents(atPath: manifestPath).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw CLIError("no \(AppManifest.fileName) in \(folder)")
        }
        let manifest = try ManifestParser(file: manifestPath).parse(text)
        var files: [String: [UInt8]] = [:]
        for module in manifest.modulePaths {
            let file = (folder as NSString).appendingPathComponent(module)
            guard let bytes = FileManager.default.contents(atPath: file) else {
                let hint = module.hasSuffix(".wasm") ? " (build it first, for the samples: scripts/build-samples.sh)" : ""
                throw CLIError("\(manifestPath): module `\(module)` not found at \(file)\(hint)")
            }
            files[module] = [UInt8](bytes)
        }
        return AppBundle(manifest: text, files: files)
    }
}
