import CWasmtime
import Crypto
import Foundation

/// wasmtime's C library, opened at run time: where it was found, its version, and its
/// functions. Stratus runs without it (WasmKit serves); ``load(path:)`` says why it is absent.
final class WasmtimeLibrary: @unchecked Sendable {
    // Filled once by the loader and only read after.
    let api: stratus_wasmtime_api
    let path: String
    let version: String
    /// What compiled code cached on disk is tied to: the library's bytes.
    let identity: String

    /// The oldest major version whose C API matches the declarations in CWasmtime.
    static let minimumMajorVersion = 49

    /// Where the library is looked for when `STRATUS_WASMTIME_LIB` names none: where
    /// scripts/setup.sh installs it, then the usual library folders.
    static let wellKnownPaths = ["/usr/local/lib/stratus/libwasmtime.so", NSHomeDirectory() + "/.local/lib/stratus/libwasmtime.so",
                                 "/usr/local/lib/libwasmtime.so", "/usr/lib/libwasmtime.so",
                                 "/usr/lib/x86_64-linux-gnu/libwasmtime.so", "/usr/lib/aarch64-linux-gnu/libwasmtime.so"]

    private init(api: stratus_wasmtime_api, path: String, version: String, identity: String) {
        self.api = api
        self.path = path
        self.version = version
        self.identity = identity
    }

    /// The library at `path`, or the first found at `STRATUS_WASMTIME_LIB` or a well-known place.
    static func load(path: String? = nil) -> Result<WasmtimeLibrary, WasmtimeUnavailable> {
        let explicit = path ?? ProcessInfo.processInfo.environment["STRATUS_WASMTIME_LIB"].flatMap { $0.isEmpty ? nil : $0 }
        guard let found = explicit ?? wellKnownPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return .failure(WasmtimeUnavailable(
                "no wasmtime library found (looked in STRATUS_WASMTIME_LIB and \(wellKnownPaths.joined(separator: ", "))); scripts/setup.sh installs one"))
        }
        guard let data = FileManager.default.contents(atPath: found) else {
            return .failure(WasmtimeUnavailable("\(found) cannot be read"))
        }
        guard let version = Self.version(in: data) else {
            return .failure(WasmtimeUnavailable("\(found) does not say which wasmtime it is; Stratus needs wasmtime \(minimumMajorVersion) or later"))
        }
        guard let major = Int(version.prefix { $0 != "." }), major >= minimumMajorVersion else {
            return .failure(WasmtimeUnavailable("\(found) is wasmtime \(version); Stratus needs \(minimumMajorVersion) or later"))
        }
        var api = stratus_wasmtime_api()
        if let problem = stratus_wasmtime_load(found, &api) {
            return .failure(WasmtimeUnavailable("\(found) cannot be used: \(String(cString: problem))"))
        }
        let identity = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
        return .success(WasmtimeLibrary(api: api, path: found, version: version, identity: identity))
    }

    /// The version wasmtime prints in its panic messages (`\nversion: 49.0.0\n`): the C API
    /// has no call that answers it.
    static func version(in data: Data) -> String? {
        let marker = Data("\nversion: ".utf8)
        var searchFrom = data.startIndex
        while let found = data.range(of: marker, in: searchFrom..<data.endIndex) {
            let digits = data[found.upperBound...].prefix(16).prefix { $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) }
            if digits.count >= 5, data[found.upperBound + digits.count] == 0x0A {
                return String(decoding: digits, as: UTF8.self)
            }
            searchFrom = found.upperBound
        }
        return nil
    }

    /// The text of a wasmtime error, which it frees.
    func message(_ error: OpaquePointer) -> String {
        var bytes = wasm_byte_vec_t()
        api.error_message(error, &bytes)
        defer { api.byte_vec_delete(&bytes) }
        return String(decoding: UnsafeBufferPointer(start: bytes.data, count: bytes.size), as: UTF8.self)
    }

    func trapMessage(_ trap: OpaquePointer) -> String {
        var bytes = wasm_byte_vec_t()
        api.trap_message(trap, &bytes)
        defer { api.byte_vec_delete(&bytes) }
        // The message is NUL-terminated.
        let text = UnsafeBufferPointer(start: bytes.data, count: bytes.size).prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Why wasmtime is not serving: said once at start, and by `--engine wasmtime` as an error.
public struct WasmtimeUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
