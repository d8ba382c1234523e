import Foundation
import StratusCLI
import Testing

/// The manifest's `files:` folder as WASI guests see it: read-only at `/app`, the same in
/// every instance, replaced with the app.
@Suite struct AppFilesTests {
    @Test func aLegacyProgramReadsItsDataFilesAtAppAndCannotWriteThem() async throws {
        let dir = try TemporaryDirectory()
        let sample = try Repository.sample("catalog", module: "lookup.wasm")
        try await TestServer.with(dir: dir) { server in
            _ = try await server.platform.deploy(try AppFolder.read(sample))
            let france = try await server.request(.GET, "/catalog/FR")
            #expect(france.status == 200 && france.text == "FR\tFrance\tParis\n", "\(france.status) \(france.text)")
            #expect(try await server.request(.GET, "/catalog/JP").text == "JP\tJapan\tTokyo\n")
            let unknown = try await server.request(.GET, "/catalog/XX")
            #expect(unknown.status == 404 && unknown.text == "unknown code XX\n")
            let listing = try await server.request(.GET, "/catalog/_list")
            #expect(listing.text == "/app/countries.tsv\n/app/more\n/app/more/notes.txt\n"
                    || listing.text == "/app/more\n/app/countries.tsv\n/app/more/notes.txt\n", "\(listing.text)")
            #expect(try await server.request(.GET, "/catalog/_write").text == "Read-only file system\n")
            // The file is unchanged, and an instance that tried to write still serves correctly.
            for _ in 0..<3 { #expect(try await server.request(.GET, "/catalog/DE").text == "DE\tGermany\tBerlin\n") }

            // A redeploy with other data replaces what guests read.
            let copy = dir.file("catalog")
            try FileManager.default.createDirectory(atPath: copy + "/data", withIntermediateDirectories: true)
            for file in ["stratus.yaml", "lookup.wasm"] { try FileManager.default.copyItem(atPath: sample + "/" + file, toPath: copy + "/" + file) }
            try "FR\tFrance\tParis (v2)\n".write(toFile: copy + "/data/countries.tsv", atomically: true, encoding: .utf8)
            _ = try await server.platform.deploy(try AppFolder.read(copy))
            #expect(try await server.request(.GET, "/catalog/FR").text == "FR\tFrance\tParis (v2)\n")
            #expect(try await server.request(.GET, "/catalog/DE").status == 404)
        }
    }
}
