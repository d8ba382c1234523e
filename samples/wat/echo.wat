;; echo: a hand-written guest on the native `stratus` ABI. It answers with the request
;; body, as application/octet-stream. Stratus compiles the text itself at deploy.
(module
  (import "stratus" "input"      (func $input      (result i32)))
  (import "stratus" "buf_len"    (func $buf_len    (param i32) (result i32)))
  (import "stratus" "buf_read"   (func $buf_read   (param i32 i32 i32 i32) (result i32)))
  (import "stratus" "out_write"  (func $out_write  (param i32 i32) (result i32)))
  (import "stratus" "out_header" (func $out_header (param i32 i32 i32 i32) (result i32)))

  ;; Page 0 holds the constants; page 1 is the copy buffer.
  (memory (export "memory") 2)
  (data (i32.const 16) "Content-Type")              ;; 12 bytes
  (data (i32.const 32) "application/octet-stream")  ;; 24 bytes

  (func (export "handle")
    (local $h i32) (local $len i32) (local $off i32) (local $n i32)
    (drop (call $out_header (i32.const 16) (i32.const 12) (i32.const 32) (i32.const 24)))
    (local.set $h (call $input))
    (if (i32.lt_s (local.get $h) (i32.const 0)) (then (return)))
    (local.set $len (call $buf_len (local.get $h)))
    ;; Copy 64 KiB at a time until the whole body is written.
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $off) (local.get $len)))
        (local.set $n (call $buf_read (local.get $h) (local.get $off) (i32.const 65536) (i32.const 65536)))
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (drop (call $out_write (i32.const 65536) (local.get $n)))
        (local.set $off (i32.add (local.get $off) (local.get $n)))
        (br $next)))))
