import Foundation
import StratusEngine
import StratusModel

/// The JavaScript runner: Duktape compiled to WebAssembly (`scripts/build-js.sh` writes
/// `js/stratus-js.wasm`), which runs a function whose module is a `.js` file. Each such
/// function's instances evaluate its script once (`js_init`, before the snapshot); each
/// invocation calls the script's `handle()`.
enum JavaScriptRunner {
    /// The set-up that evaluates `script` in a new instance.
    static func setup(_ script: [UInt8]) -> CompiledModule.Setup {
        CompiledModule.Setup(export: "js_init", input: script)
    }

    /// The runner's bytes: `STRATUS_JS_RUNNER`, else `js/stratus-js.wasm` in the working folder
    /// or above the executable (a build in `.build/…` finds the repository's), else
    /// `stratus-js.wasm` beside the executable.
    static func bytes() throws -> [UInt8] {
        if let bytes = loaded { return bytes }
        throw StratusError(.badRequest, code: "javascript_unavailable",
                           "this server has no JavaScript runner: build it with scripts/build-js.sh, or set STRATUS_JS_RUNNER to its path (looked in \(candidates.joined(separator: ", ")))")
    }

    private static let loaded: [UInt8]? = candidates.lazy.compactMap { FileManager.default.contents(atPath: $0) }.first.map { [UInt8]($0) }

    private static let candidates: [String] = {
        var paths: [String] = []
        if let given = ProcessInfo.processInfo.environment["STRATUS_JS_RUNNER"], !given.isEmpty { paths.append(given) }
        paths.append(FileManager.default.currentDirectoryPath + "/js/stratus-js.wasm")
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        paths.append(folder.path + "/stratus-js.wasm")
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            paths.append(folder.path + "/js/stratus-js.wasm")
        }
        return paths
    }()
}
