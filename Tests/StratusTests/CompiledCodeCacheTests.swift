import Foundation
import StratusEngine
import StratusModel
import Testing

/// wasmtime's compiled code kept on disk: a second engine (a restart, another node sharing the
/// folder) loads it instead of compiling, and an entry that was changed is compiled again,
/// never loaded.
@Suite struct CompiledCodeCacheTests {
    @Test func aChangedEntryIsCompiledAgainNotLoaded() throws {
        let dir = try TemporaryDirectory()
        let cache = dir.file("compiled")
        let bytes = try Repository.module("samples/hello/hello.wasm")
        let invocation = { Invocation(input: [], context: ["param.name": "cache", "app": "a", "function": "hello"]) }
        let firstEngine = try TestEngines.make(.wasmtime, codeCache: cache)
        let compiled = try firstEngine.compile(bytes, entry: nil, path: "hello.wasm")
        #expect(compiled.engine == .wasmtime)
        #expect(try firstEngine.invoke(compiled, invocation(), host: EngineHostDouble.denying).body == Array("Hello, cache!".utf8))
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache)
        try #require(entries.count == 1, "one entry for one module: \(entries)")
        let path = cache + "/" + entries[0]
        let written = try #require(FileManager.default.contents(atPath: path))
        func inode() throws -> Int { try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int) }

        // A valid entry is loaded, not compiled and written again (a write renames a new file in).
        let before = try inode()
        let loaded = try TestEngines.make(.wasmtime, codeCache: cache)
        #expect(try loaded.invoke(try loaded.compile(bytes, entry: nil, path: "hello.wasm"), invocation(), host: EngineHostDouble.denying).body
                == Array("Hello, cache!".utf8))
        #expect(try inode() == before, "the entry was used as it was")

        // A flipped byte in the code: the entry's hash no longer matches.
        var changed = written
        changed[changed.count / 2] ^= 0xFF
        try changed.write(to: URL(fileURLWithPath: path))
        let second = try TestEngines.make(.wasmtime, codeCache: cache)
        let again = try second.compile(bytes, entry: nil, path: "hello.wasm")
        #expect(try second.invoke(again, invocation(), host: EngineHostDouble.denying).body == Array("Hello, cache!".utf8))
        #expect(FileManager.default.contents(atPath: path) == written, "the entry was compiled and written again")

        // Cut short: the same.
        try written.prefix(40).write(to: URL(fileURLWithPath: path))
        let third = try TestEngines.make(.wasmtime, codeCache: cache)
        #expect(try third.invoke(try third.compile(bytes, entry: nil, path: "hello.wasm"), invocation(), host: EngineHostDouble.denying).body
                == Array("Hello, cache!".utf8))
        #expect(FileManager.default.contents(atPath: path) == written)
    }
}
