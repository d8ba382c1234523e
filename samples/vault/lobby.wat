;; lobby (GET /vault): not guarded, so it answers everyone.
(module
  (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "the lobby is open to all")
  (func (export "handle") (drop (call $out_write (i32.const 0) (i32.const 24)))))
