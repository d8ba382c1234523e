import ArgumentParser
import Foundation
import StratusModel

/// `stratus new NAME --lang c|rust|js|wat`: a ready app folder.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Write a new app folder: a manifest, a function that greets, and its build step.")

    @Argument(help: "The app's name ([a-z0-9-], 1 to 63 characters); also the folder's, unless --dir says otherwise.") var name: String
    @Option(name: .long, help: "The function's language: c, rust, js or wat.") var lang: String
    @Option(name: .long, help: "Where to write the folder (default ./NAME).") var dir: String?

    func run() throws {
        guard Names.isValidApp(name) else { throw CLIError("`\(name)` is not an app name: use 1 to 63 of a-z, 0-9 and -") }
        guard let language = AppTemplate.Language(rawValue: lang) else {
            throw CLIError("--lang \(lang): choose one of \(AppTemplate.Language.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let folder = dir ?? name
        guard !FileManager.default.fileExists(atPath: folder) else { throw CLIError("\(folder) already exists; choose another --dir") }
        let template = AppTemplate(app: name, language: language, sdk: try SDKLocation.find())
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (path, text) in template.files {
            try text.write(toFile: folder + "/" + path, atomically: true, encoding: .utf8)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/build.sh")
        print("wrote \(folder): \(template.files.keys.sorted().joined(separator: ", "))")
        print("next: stratus build \(folder) && stratus deploy \(folder)")
    }
}

/// `stratus build [DIR]`: runs the app's build step, `DIR/build.sh`.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Run an app folder's build step (its build.sh, which `stratus new` writes).")

    @Argument(help: "The app folder (default: the current folder).") var dir: String = "."

    func run() throws {
        let script = (dir as NSString).appendingPathComponent("build.sh")
        guard FileManager.default.fileExists(atPath: script) else {
            throw CLIError("\(dir) has no build.sh; `stratus new` writes one, or build the modules yourself")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["build.sh"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError("the build step of \(dir) failed (build.sh exited with \(process.terminationStatus))") }
        print("built \(dir)")
    }
}

/// Where the SDKs are: `STRATUS_SDK`, else the repository's `sdk` folder above the executable.
enum SDKLocation {
    static func find() throws -> String {
        if let given = ProcessInfo.processInfo.environment["STRATUS_SDK"], !given.isEmpty { return given }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: folder.path + "/sdk/c/stratus_sdk.h") { return folder.path + "/sdk" }
            folder = folder.deletingLastPathComponent()
        }
        throw CLIError("cannot find the SDKs (sdk/c, sdk/rust) above \(CommandLine.arguments[0]); set STRATUS_SDK to the sdk folder")
    }
}
