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
        let root = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        for module in manifest.modulePaths {
            let file = (folder as NSString).appendingPathComponent(module)
            try checkInside(root, file, module, manifestPath: manifestPath)
            guard let bytes = FileManager.default.contents(atPath: file) else {
                let hint = module.hasSuffix(".wasm") ? " (build it first, for the samples: scripts/build-samples.sh)" : ""
                throw CLIError("\(manifestPath): module `\(module)` not found at \(file)\(hint)")
            }
            files[module] = [UInt8](bytes)
        }
        for shipped in manifest.statics.map(\.folder) + (manifest.files.map { [$0] } ?? []) {
            try readFolder(shipped, of: folder, manifestPath: manifestPath, into: &files)
        }
        return AppBundle(manifest: text, files: files)
    }

    /// Every file below `path` (a static or `files` folder), hidden ones (`.name`) left out. A
    /// link that leads outside the app folder is refused: it would publish what is not the app's.
    private static func readFolder(_ path: String, of folder: String, manifestPath: String, into files: inout [String: [UInt8]]) throws {
        let root = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        let start = (folder as NSString).appendingPathComponent(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: start, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("\(manifestPath): folder `\(path)` not found at \(start)")
        }
        var pending = [path]
        while let relative = pending.popLast() {
            let absolute = (folder as NSString).appendingPathComponent(relative)
            let resolved = try checkInside(root, absolute, relative, manifestPath: manifestPath)
            var entryIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: resolved, isDirectory: &entryIsDirectory) else {
                throw CLIError("\(absolute) is a link to nothing; remove it or make it a file")
            }
            if entryIsDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: resolved).filter { !$0.hasPrefix(".") }.sorted()
                pending += names.map { relative + "/" + $0 }
            } else if let bytes = FileManager.default.contents(atPath: resolved) {
                files[relative] = [UInt8](bytes)
            } else {
                throw CLIError("cannot read \(absolute)")
            }
        }
    }

    /// `path` with its links followed, refused when that leads outside the app folder (`root`,
    /// resolved): a module or file linked from elsewhere would upload what is not the app's.
    @discardableResult
    private static func checkInside(_ root: String, _ path: String, _ relative: String, manifestPath: String) throws -> String {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard resolved == root || resolved.hasPrefix(root + "/") else {
            throw CLIError("\(manifestPath): `\(relative)` leads outside the app folder (to \(resolved)); copy the file into the folder instead of linking it")
        }
        return resolved
    }
}
