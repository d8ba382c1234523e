import Foundation
import StratusBackup
import StratusCLI
import StratusModel
import StratusRuntime
import StratusStore
import Testing

/// An app's `static:` folders served over real HTTP: types, validators, ranges, compression,
/// replacement on redeploy, and paths that would escape the folder refused at deploy.
@Suite struct StaticFilesTests {
    static let page = "<!doctype html><title>shop</title>\n" + String(repeating: "<p>static files are served as they are</p>\n", count: 20)
    static let css = "body { color: #333; }\n"
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<200).map { UInt8($0) }

    /// A shop app: `/site` serves `public/`, and a function answers the literal `/site/api`.
    static func shop(_ dir: TemporaryDirectory, page: String = page, extra: [String: [UInt8]] = [:]) throws -> String {
        let folder = dir.file("shop-\(UUID().uuidString.prefix(6))")
        var files: [String: [UInt8]] = [
            "stratus.yaml": Array("""
                app: shop
                static:
                  /site: public
                functions:
                  api:
                    module: api.wat
                    http: [GET /site/api]
                """.utf8),
            "api.wat": Array(WATGuest.stratusGuest(data: [(0x100, "from the api")], "(drop (call $out_write (i32.const 0x100) (i32.const 12)))").utf8),
            "public/index.html": Array(page.utf8),
            "public/css/app.css": Array(css.utf8),
            "public/img/dot.png": png,
            "public/.secret": Array("hidden".utf8),
        ]
        files.merge(extra) { $1 }
        for (path, bytes) in files {
            let file = folder + "/" + path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        }
        return folder
    }

    @Test func servesFilesWithTypesValidatorsRangesAndCompression() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            _ = try await server.platform.deploy(try AppFolder.read(try Self.shop(dir)))

            let index = try await server.request(.GET, "/site/")
            #expect(index.status == 200 && index.text == Self.page)
            #expect(index.headers["Content-Type"].first == "text/html; charset=utf-8")
            // The prefix alone redirects to its folder (which the client follows).
            let bare = try await server.request(.GET, "/site")
            #expect(bare.status == 200 && bare.text == Self.page)
            let css = try await server.request(.GET, "/site/css/app.css")
            #expect(css.text == Self.css && css.headers["Content-Type"].first == "text/css; charset=utf-8")
            let png = try await server.request(.GET, "/site/img/dot.png")
            #expect(png.body == Self.png && png.headers["Content-Type"].first == "image/png")
            #expect(try await server.request(.GET, "/site/api").text == "from the api", "a function's literal route wins over the folder")
            #expect(try await server.request(.GET, "/site/.secret").status == 404, "hidden files are not deployed")
            #expect(try await server.request(.GET, "/site/css/missing.css").status == 404)
            #expect(try await server.request(.GET, "/site/css").status == 404, "a folder without index.html is not a file")
            #expect(try await server.request(.GET, "/site/%2e%2e/api.wat").status == 404, "no way out of the folder")

            // Validators: the tag is the content's hash; a match answers 304 without a body.
            let tag = try #require(css.headers["ETag"].first)
            let again = try await server.request(.GET, "/site/css/app.css", headers: [("If-None-Match", tag)])
            #expect(again.status == 304 && again.body.isEmpty)
            #expect(try await server.request(.GET, "/site/css/app.css", headers: [("If-None-Match", "\"other\"")]).status == 200)
            let modified = try #require(css.headers["Last-Modified"].first)
            #expect(try await server.request(.GET, "/site/css/app.css", headers: [("If-Modified-Since", modified)]).status == 304)

            // Ranges: one range answers 206 with Content-Range; one past the end 416.
            let part = try await server.request(.GET, "/site/img/dot.png", headers: [("Range", "bytes=8-11")])
            #expect(part.status == 206 && part.body == Array(Self.png[8...11]))
            #expect(part.headers["Content-Range"].first == "bytes 8-11/\(Self.png.count)")
            let tail = try await server.request(.GET, "/site/img/dot.png", headers: [("Range", "bytes=-3")])
            #expect(tail.body == Array(Self.png.suffix(3)))
            let beyond = try await server.request(.GET, "/site/img/dot.png", headers: [("Range", "bytes=9999-")])
            #expect(beyond.status == 416 && beyond.headers["Content-Range"].first == "bytes */\(Self.png.count)")

            // Text is gzipped for a client that accepts it (this client inflates it again); the
            // tag names that form.
            let plain = try await server.request(.GET, "/site/", headers: [("Accept-Encoding", "identity")])
            let zipped = try await server.request(.GET, "/site/", headers: [("Accept-Encoding", "br, gzip")])
            #expect(plain.headers["Content-Encoding"].isEmpty && plain.headers["Content-Length"].first == String(Self.page.utf8.count))
            #expect(zipped.headers["Content-Encoding"].first == "gzip" && zipped.text == Self.page)
            #expect(Int(zipped.headers["Content-Length"].first ?? "") ?? .max < Self.page.utf8.count / 4, "\(zipped.headers)")
            #expect(zipped.headers["Vary"].first == "Accept-Encoding" && zipped.headers["ETag"].first != plain.headers["ETag"].first)
            #expect(try await server.request(.GET, "/site/img/dot.png", headers: [("Accept-Encoding", "gzip")]).headers["Content-Encoding"].isEmpty,
                    "images are not compressed again")
            let head = try await server.request(.HEAD, "/site/css/app.css")
            #expect(head.status == 200 && head.body.isEmpty, "\(head.status)")
            #expect(head.headers["Content-Length"].first == String(Self.css.utf8.count))
        }
    }

    @Test func aRedeployReplacesTheFilesAndARestartServesThemFromTheStore() async throws {
        let dir = try TemporaryDirectory()
        try await TestServer.with(dir: dir) { server in
            _ = try await server.platform.deploy(try AppFolder.read(try Self.shop(dir, extra: ["public/old.txt": Array("old".utf8)])))
            #expect(try await server.request(.GET, "/site/old.txt").text == "old")
            _ = try await server.platform.deploy(try AppFolder.read(try Self.shop(dir, page: "version two")))
            #expect(try await server.request(.GET, "/site/").text == "version two")
            #expect(try await server.request(.GET, "/site/old.txt").status == 404, "a file the new version lacks is gone")
        }
        // The files live in the store with the app: a new server over the same data serves them,
        // and so does one over a store restored from a backup.
        try await TestServer.with(dir: dir) { server in
            let (page, css) = (try await server.request(.GET, "/site/"), try await server.request(.GET, "/site/css/app.css"))
            #expect(page.text == "version two" && css.text == Self.css)
        }
        let restored = try TemporaryDirectory()
        try await onThread {
            let archive = dir.file("backup.tar.gz")
            _ = try Backup.write(from: try SQLiteStore(path: dir.file("stratus.sqlite")), to: archive)
            _ = try Backup.restore(archive, into: try SQLiteStore(path: restored.file("stratus.sqlite")))
        }
        try await TestServer.with(dir: restored) { server in
            let (page, png) = (try await server.request(.GET, "/site/"), try await server.request(.GET, "/site/img/dot.png"))
            #expect(page.text == "version two" && png.body == Self.png)
        }
    }

    @Test func pathsThatEscapeTheAppFolderAreRefusedAtDeploy() async throws {
        let dir = try TemporaryDirectory()
        let folder = try Self.shop(dir)
        try "outside".write(toFile: dir.file("outside.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/public/leak.txt", withDestinationPath: dir.file("outside.txt"))
        #expect { _ = try AppFolder.read(folder) } throws: { "\($0)".contains("leads outside the app folder") }

        // A crafted upload that names a path above the folder is refused by the server too.
        try await TestServer.with(dir: dir) { server in
            let manifest = "app: shop\nstatic:\n  /site: public\nfunctions:\n  api:\n    module: api.wat\n"
            let bundle = AppBundle(manifest: manifest, files: ["api.wat": Array(WATGuest.stratusGuest("").utf8),
                                                               "public/../../etc/passwd": Array("x".utf8)])
            await #expect { _ = try await server.platform.deploy(bundle) } throws: { ($0 as? StratusError)?.code == "path_outside_app" }
            #expect { _ = try ManifestParser().parse("app: shop\nstatic:\n  /site: ../up\nfunctions:\n  f:\n    module: f.wat\n") }
                throws: { "\($0)".contains("must be a folder inside the app folder") }
        }
    }
}
