/*
 * The runtime that clang's wasm setjmp/longjmp lowering (-mllvm -wasm-enable-sjlj) calls
 * (Debian's wasi-libc has none).
 *
 * A function that calls setjmp gets a unique invocation id; setjmp records (id, label) in
 * the jmp_buf. longjmp throws the wasm exception __c_longjmp carrying a pointer to
 * {env, val}; every function with a setjmp catches it, asks __wasm_setjmp_test whether the
 * jmp_buf belongs to its own invocation, and either resumes at that setjmp returning val
 * or throws it on. Needs an engine with the exception-handling proposal (exnref).
 */
#include <stdint.h>
#include "setjmp.h"

void __wasm_setjmp(void *env, uint32_t label, void *invocation) {
    struct stratus_jmp *jb = env;
    jb->invocation = invocation;
    jb->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *invocation) {
    struct stratus_jmp *jb = env;
    return jb->invocation == invocation ? jb->label : 0;
}

void __wasm_longjmp(void *env, int val) {
    struct stratus_jmp *jb = env;
    jb->env = env;
    jb->val = val != 0 ? val : 1;
    __builtin_wasm_throw(1, &jb->env);  /* tag 1: __c_longjmp */
}
