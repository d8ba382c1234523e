;; A sieve of Eratosthenes over 64 K bytes of memory, run 40 times: loads, stores,
;; arithmetic and branches, no host calls. Shared by stratus-bench and scripts/compare-engines.py.
(module
  (memory (export "memory") 2)
  (func (export "handle") (local $round i32) (local $i i32) (local $j i32)
    (loop $rounds
      (memory.fill (i32.const 0) (i32.const 0) (i32.const 65536))
      (local.set $i (i32.const 2))
      (loop $outer
        (if (i32.eqz (i32.load8_u (local.get $i)))
          (then
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $done (loop $inner
              (br_if $done (i32.ge_u (local.get $j) (i32.const 65536)))
              (i32.store8 (local.get $j) (i32.const 1))
              (local.set $j (i32.add (local.get $j) (local.get $i)))
              (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $outer (i32.lt_u (i32.mul (local.get $i) (local.get $i)) (i32.const 65536))))
      (local.set $round (i32.add (local.get $round) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $round) (i32.const 40))))))
