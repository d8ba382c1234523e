/// WAT guests for the composition tests: callers, appenders, bound libraries.
enum CompositionGuests {
    private static let imports = """
      (import "stratus" "input" (func $input (result i32)))
      (import "stratus" "buf_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "out_write" (func $write (param i32 i32) (result i32)))
    """

    /// Calls `target` with its input; writes the callee's output, or `E` and the error code's
    /// digit (`E6` for FAILED), then `suffix`.
    static func caller(_ target: String, suffix: String = "") -> String {
        """
        (module
        \(imports)
          (import "stratus" "call" (func $call (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 2)
          (data (i32.const 0) "\(target)")
          (data (i32.const 256) "\(suffix)")
          (func (export "handle") (local $h i32) (local $n i32)
            (local.set $n (call $read (call $input) (i32.const 0) (i32.const 1024) (i32.const 60000)))
            (local.set $h (call $call (i32.const 0) (i32.const \(target.utf8.count)) (i32.const 1024) (local.get $n)))
            (if (i32.lt_s (local.get $h) (i32.const 0))
              (then
                (i32.store8 (i32.const 512) (i32.const 69))
                (i32.store8 (i32.const 513) (i32.sub (i32.const 48) (local.get $h)))
                (drop (call $write (i32.const 512) (i32.const 2))))
              (else
                (local.set $n (call $read (local.get $h) (i32.const 0) (i32.const 1024) (i32.const 60000)))
                (drop (call $write (i32.const 1024) (local.get $n)))))
            (drop (call $write (i32.const 256) (i32.const \(suffix.utf8.count))))))
        """
    }

    /// Writes its input followed by `suffix`.
    static func appender(_ suffix: String) -> String {
        """
        (module
        \(imports)
          (memory (export "memory") 2)
          (data (i32.const 0) "\(suffix)")
          (func (export "handle") (local $n i32)
            (local.set $n (call $read (call $input) (i32.const 0) (i32.const 1024) (i32.const 60000)))
            (drop (call $write (i32.const 1024) (local.get $n)))
            (drop (call $write (i32.const 0) (i32.const \(suffix.utf8.count))))))
        """
    }

    /// Writes the key `ran` = `yes` (needs a `set` grant on it), then its input.
    static let marker = """
    (module
    \(imports)
      (import "stratus" "kv_set" (func $kv_set (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 2)
      (data (i32.const 0) "ranyes")
      (func (export "handle") (local $n i32)
        (drop (call $kv_set (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 3)))
        (local.set $n (call $read (call $input) (i32.const 0) (i32.const 1024) (i32.const 60000)))
        (drop (call $write (i32.const 1024) (local.get $n)))))
    """

    /// Echoes its input, but traps when it begins with `b`.
    static let trapOnB = """
    (module
    \(imports)
      (memory (export "memory") 2)
      (func (export "handle") (local $n i32)
        (local.set $n (call $read (call $input) (i32.const 0) (i32.const 1024) (i32.const 60000)))
        (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 98)) (then unreachable))
        (drop (call $write (i32.const 1024) (local.get $n)))))
    """

    /// Answers `bytes` whatever its input: a plan's split function.
    static func constant(_ bytes: [UInt8]) -> String {
        """
        (module
          (import "stratus" "out_write" (func $write (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\(WATGuest.literal(bytes))")
          (func (export "handle") (drop (call $write (i32.const 0) (i32.const \(bytes.count))))))
        """
    }

    /// A library for module binding: `add` counts its calls in a global that `calls` reads, and
    /// `boom` traps. Its `handle` does nothing.
    static let library = """
    (module
      (memory (export "memory") 1)
      (global $calls (mut i32) (i32.const 0))
      (func (export "add") (param i32 i32) (result i32)
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (i32.add (local.get 0) (local.get 1)))
      (func (export "calls") (result i32) (global.get $calls))
      (func (export "boom") (param i32) (result i32) unreachable)
      (func (export "handle")))
    """

    /// Imports `add` and `calls` from the function `lib`: writes add(40, 2) and then, after a
    /// second add, how many calls the library instance saw, as two i32s.
    static func binder(callBoom: Bool = false) -> String {
        """
        (module
          (import "lib" "add" (func $add (param i32 i32) (result i32)))
          (import "lib" "calls" (func $calls (result i32)))
          (import "lib" "boom" (func $boom (param i32) (result i32)))
          (import "stratus" "out_write" (func $write (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "handle")
            \(callBoom ? "(drop (call $boom (i32.const 1)))" : "")
            (i32.store (i32.const 0) (call $add (i32.const 40) (i32.const 2)))
            (drop (call $add (i32.const 1) (i32.const 1)))
            (i32.store (i32.const 4) (call $calls))
            (drop (call $write (i32.const 0) (i32.const 8)))))
        """
    }
}

extension CompositionGuests {
    /// GETs the URL given as input with `http_fetch`; writes the answer's status (from
    /// `buf_meta`), a space and its body, or `E` and the error code's digit.
    static let fetcher = """
    (module
      (import "stratus" "input" (func $input (result i32)))
      (import "stratus" "buf_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "stratus" "buf_meta" (func $meta (param i32 i32 i32) (result i32)))
      (import "stratus" "out_write" (func $write (param i32 i32) (result i32)))
      (import "stratus" "http_fetch" (func $fetch (param i32 i32 i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 2)
      (data (i32.const 0) "GETstatus ")
      (func (export "handle") (local $h i32) (local $n i32)
        (local.set $n (call $read (call $input) (i32.const 0) (i32.const 1024) (i32.const 4096)))
        (local.set $h (call $fetch (i32.const 0) (i32.const 3) (i32.const 1024) (local.get $n) (i32.const 0) (i32.const 0)))
        (if (i32.lt_s (local.get $h) (i32.const 0))
          (then
            (i32.store8 (i32.const 512) (i32.const 69))
            (i32.store8 (i32.const 513) (i32.sub (i32.const 48) (local.get $h)))
            (drop (call $write (i32.const 512) (i32.const 2)))
            (return)))
        (local.set $n (call $read (call $meta (local.get $h) (i32.const 3) (i32.const 6)) (i32.const 0) (i32.const 8192) (i32.const 16)))
        (drop (call $write (i32.const 8192) (local.get $n)))
        (drop (call $write (i32.const 9) (i32.const 1)))
        (local.set $n (call $read (local.get $h) (i32.const 0) (i32.const 16384) (i32.const 60000)))
        (drop (call $write (i32.const 16384) (local.get $n)))))
    """

    /// Answers 302 with `Location: LOCATION`.
    static func redirect(to location: String) -> String {
        """
        (module
          (import "stratus" "out_status" (func $status (param i32) (result i32)))
          (import "stratus" "out_header" (func $header (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "Location")
          (data (i32.const 64) "\(location)")
          (func (export "handle")
            (drop (call $status (i32.const 302)))
            (drop (call $header (i32.const 0) (i32.const 8) (i32.const 64) (i32.const \(location.utf8.count))))))
        """
    }
}
