/*
 * setjmp.h for the JavaScript runner (Debian's wasi-libc ships none).
 *
 * Built with `-mllvm -wasm-enable-sjlj -mllvm -wasm-use-legacy-eh=false`, clang turns each
 * setjmp() into a call to __wasm_setjmp plus a try_table around the calls that may
 * longjmp, and each longjmp() into __wasm_longjmp, which throws a wasm exception with the
 * tag __c_longjmp (the exception-handling proposal; js/wasm/sjlj.c has the runtime).
 */
#ifndef STRATUS_JS_SETJMP_H
#define STRATUS_JS_SETJMP_H

/* The layout js/wasm/sjlj.c uses; `env` and `val` are the thrown payload, in this order. */
struct stratus_jmp {
    void *invocation;   /* the function invocation that called setjmp */
    unsigned label;     /* which setjmp call site in it */
    void *env;          /* payload of the exception: this jmp_buf ... */
    int val;            /* ... and longjmp's value */
};
typedef struct stratus_jmp jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int val);

#endif
