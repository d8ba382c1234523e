import Foundation
import Testing

/// `stratus new` writes an app folder for each language, `stratus build` builds it, and the
/// app deploys and answers on a real server.
@Suite struct TemplateTests {
    @Test(arguments: ["c", "rust", "js", "wat"]) func aNewAppBuildsDeploysAndAnswers(_ lang: String) async throws {
        let dir = try TemporaryDirectory()
        let folder = dir.file("greeter-\(lang)")
        let made = try StratusProcess.run(["new", "greeter-\(lang)", "--lang", lang, "--dir", folder])
        #expect(made.status == 0, "\(made.stderr)")
        let built = try StratusProcess.run(["build", folder])
        #expect(built.status == 0, "\(built.stdout) \(built.stderr)")
        let server = try StratusProcess.Server(data: dir.file("data"), extra: ["--deploy", folder], environment: ["STRATUS_TOKEN": "t"])
        defer { server.stop() }
        let first = try await TestServer.request(.GET, server.url + "/greeter-\(lang)/hello/Ada")
        let expected = lang == "wat" ? "Hello, Ada!\n" : "Hello, Ada! (visit 1)\n"
        #expect(first.status == 200 && first.text == expected, "\(first.status) \(first.text)")
        if lang != "wat" {
            #expect(try await TestServer.request(.GET, server.url + "/greeter-\(lang)/hello/Ada").text == "Hello, Ada! (visit 2)\n")
        }
    }

    @Test func badNamesLanguagesAndExistingFoldersAreRefused() throws {
        let dir = try TemporaryDirectory()
        let badName = try StratusProcess.run(["new", "Bad_Name", "--lang", "c", "--dir", dir.file("x")])
        #expect(badName.status != 0 && badName.stderr.contains("not an app name"), "\(badName.stderr)")
        let badLang = try StratusProcess.run(["new", "ok", "--lang", "cobol", "--dir", dir.file("y")])
        #expect(badLang.status != 0 && badLang.stderr.contains("choose one of c, rust, js, wat"), "\(badLang.stderr)")
        let taken = try StratusProcess.run(["new", "ok", "--lang", "js", "--dir", dir.path])
        #expect(taken.status != 0 && taken.stderr.contains("already exists"), "\(taken.stderr)")
        let nothing = try StratusProcess.run(["build", dir.path])
        #expect(nothing.status != 0 && nothing.stderr.contains("has no build.sh"), "\(nothing.stderr)")
    }
}
