;; mathlib: a hand-written library that other functions of the app import by name. Stratus
;; binds an import from the module "mathlib" to this function's export of the same name,
;; run in mathlib's own instance; only numbers cross. It exports `add` and `mul` (i32,
;; wrapping like i32.add and i32.mul) and `fib` (the n-th Fibonacci number as an i64,
;; iteratively: fib(0) = 0, fib(1) = 1; wraps past fib(92)), and `handle`, so it is an HTTP
;; function too: it answers what it exports. Stratus compiles the text itself at deploy.
(module
  (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "mathlib: add, mul, fib\n")  ;; 23 bytes

  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))

  (func (export "mul") (param $a i32) (param $b i32) (result i32)
    (i32.mul (local.get $a) (local.get $b)))

  ;; (a, b) = (fib(i), fib(i + 1)), stepped n times; a loop, not recursion, so it is linear
  ;; and uses no stack.
  (func (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))

  (func (export "handle")
    (drop (call $out_write (i32.const 16) (i32.const 23)))))
