import Foundation
import Testing

/// The repository's folders, for the C samples that scripts/build-samples.sh builds.
enum Repository {
    /// The nearest folder above this file holding Package.swift.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }()

    /// A sample's folder, failing with what to do when its module has not been built.
    static func sample(_ name: String, module: String) throws -> String {
        let folder = root.appendingPathComponent("samples/" + name).path
        guard FileManager.default.fileExists(atPath: folder + "/" + module) else {
            throw TestFailure("\(folder)/\(module) is missing: run scripts/build-samples.sh first")
        }
        return folder
    }

    /// The bytes of a built module, e.g. `samples/hello/hello.wasm`; fails the test when it
    /// has not been built.
    static func module(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let data = try #require(FileManager.default.contents(atPath: root.appendingPathComponent(relativePath).path),
                                "\(relativePath) is missing: run scripts/build-samples.sh to build the C samples",
                                sourceLocation: sourceLocation)
        return Array(data)
    }
}
