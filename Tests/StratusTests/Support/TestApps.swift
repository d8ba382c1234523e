import Foundation
import StratusRuntime

/// Small apps written in WAT for platform, HTTP and CLI tests.
enum TestApps {
    /// A `handle` guest answering `TEXT` plus its context value `key`, if any.
    static func greeter(text: String, key: String = "param.name") -> String {
        let bytes = Array(text.utf8)
        let data = bytes.map { String(format: "\\%02x", $0) }.joined()
        return """
        (module
          (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
          (import "stratus" "ctx" (func $ctx (param i32 i32) (result i32)))
          (import "stratus" "buf_len" (func $buf_len (param i32) (result i32)))
          (import "stratus" "buf_read" (func $buf_read (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\(data)")
          (data (i32.const 512) "\(key)")
          (func (export "handle") (local $h i32) (local $n i32)
            (drop (call $out_write (i32.const 0) (i32.const \(bytes.count))))
            (local.set $h (call $ctx (i32.const 512) (i32.const \(key.utf8.count))))
            (if (i32.gt_s (local.get $h) (i32.const 0))
              (then
                (local.set $n (call $buf_read (local.get $h) (i32.const 0) (i32.const 1024) (i32.const 1024)))
                (drop (call $out_write (i32.const 1024) (local.get $n)))))))
        """
    }

    /// A `handle` guest that echoes its input.
    static let echo = """
    (module
      (import "stratus" "input" (func $input (result i32)))
      (import "stratus" "buf_len" (func $buf_len (param i32) (result i32)))
      (import "stratus" "buf_read" (func $buf_read (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
      (memory (export "memory") 256)
      (func (export "handle") (local $h i32) (local $n i32)
        (local.set $h (call $input))
        (local.set $n (call $buf_read (local.get $h) (i32.const 0) (i32.const 0) (call $buf_len (local.get $h))))
        (drop (call $out_write (i32.const 0) (local.get $n)))))
    """

    /// A guest that traps.
    static let trap = """
    (module (memory (export "memory") 1) (func (export "handle") unreachable))
    """

    /// An app bundle with one function per entry: name → (WAT text, routes). `extra` goes at the
    /// top of the manifest, `functionExtra` into each function's entry (indented by four spaces).
    static func bundle(app: String, _ functions: [(name: String, wat: String, routes: [String])], extra: String = "",
                       functionExtra: [String: String] = [:]) -> AppBundle {
        var manifest = "app: \(app)\n\(extra)functions:\n"
        var files: [String: [UInt8]] = [:]
        for f in functions {
            manifest += "  \(f.name):\n    module: \(f.name).wat\n"
            if let more = functionExtra[f.name] {
                manifest += more.split(separator: "\n").map { "    \($0)\n" }.joined()
            }
            if !f.routes.isEmpty {
                manifest += "    http:\n" + f.routes.map { "      - \($0)\n" }.joined()
            }
            files["\(f.name).wat"] = Array(f.wat.utf8)
        }
        return AppBundle(manifest: manifest, files: files)
    }
}
