import Foundation
import StratusCLI
import StratusModel
import Testing

/// Classic POSIX text filters in C and C++ (samples/filters), built unmodified for WASI and
/// natively: each deployed function answers exactly what its native build prints for the same
/// input and environment.
@Suite struct LegacyProgramTests {
    /// Lines with tabs, empty lines, repeats, UTF-8, upper and lower case, and no final newline.
    static let text: String = {
        var lines: [String] = []
        for index in 0..<300 {
            switch index % 7 {
            case 0: lines.append("error: disk \(index % 5) failed\twith code \(index % 3)")
            case 1: lines.append("")
            case 2: lines.append("Ünïcödé lïne — 東京 \(index % 4)")
            case 3: lines.append("WARN the fan is loud")
            case 4: lines.append("WARN the fan is loud")
            case 5: lines.append("  \(index * 37 % 101) apples and   pears  ")
            default: lines.append("zebra\tyak\txylophone \(index)")
            }
        }
        return lines.joined(separator: "\n")
    }()

    @Test func eachFilterAnswersWhatItsNativeBuildPrints() async throws {
        let dir = try TemporaryDirectory()
        let sample = try Repository.sample("filters", module: "sort.wasm")
        let native = dir.file("native")
        let build = try StratusProcess.run([native], executable: Repository.root.appendingPathComponent("scripts/build-native-filters.sh").path)
        #expect(build.status == 0, "\(build.stderr)")
        let bundle = try AppFolder.read(sample)
        let manifest = try ManifestParser().parse(bundle.manifest)
        try await TestServer.with(dir: dir) { server in
            _ = try await server.platform.deploy(bundle)
            for function in manifest.functions.map(\.name) {
                let deployed = try await server.request(.POST, "/filters/\(function)", body: Array(Self.text.utf8))
                let expected = try StratusProcess.run([], environment: manifest.variables, stdin: Self.text, executable: native + "/" + function)
                #expect(expected.status == 0 && !expected.stdout.isEmpty, "native \(function): \(expected.stderr)")
                #expect(deployed.status == 200, "\(function) answered \(deployed.status): \(deployed.text)")
                #expect(deployed.text == expected.stdout, "\(function): the WASI build differs from the native one")
            }
        }
    }
}
