/*
 * Overrides for Duktape's configuration. scripts/build-js.sh copies Debian's duk_config.h
 * and includes this file at its `__OVERRIDE_DEFINES__` marker, the place Duktape reserves
 * for them. setjmp/longjmp keep Duktape's defaults: js/wasm/setjmp.h provides them.
 */

/* Time comes from the host's now_ns, in UTC: no WASI clock and no time zones. */
#undef DUK_USE_DATE_NOW_TIME
#undef DUK_USE_DATE_TZO_GMTIME
#define DUK_USE_DATE_GET_NOW(ctx) stratus_js_date_now()
#define DUK_USE_DATE_GET_LOCAL_TZOFFSET(d) 0
double stratus_js_date_now(void);

/* Math.random from the runner's generator, reseeded by each invocation: the state in the
 * snapshot taken after js_init would otherwise replay one sequence in every invocation. */
#define DUK_USE_GET_RANDOM_DOUBLE(udata) stratus_js_random()
double stratus_js_random(void);

/* Recursion limits that fit the engine's call stack, so that deep recursion in C (a
 * callback of a built-in calling back into a built-in, deeply nested source, JSON or
 * regular expressions) throws a RangeError that JavaScript can catch instead of exhausting
 * the stack, which traps. Each number is the depth that fits in 512 KiB of WasmKit stack
 * (its default) with a margin; they scale with STRATUS_JS_STACK_KIB, the stack the host
 * gives the runner (scripts/build-js.sh passes it). */
#if !defined(STRATUS_JS_STACK_KIB)
#define STRATUS_JS_STACK_KIB 512
#endif
#define STRATUS_JS_DEPTH(per512k) ((per512k) * (STRATUS_JS_STACK_KIB) / 512)
#undef DUK_USE_NATIVE_CALL_RECLIMIT
#define DUK_USE_NATIVE_CALL_RECLIMIT STRATUS_JS_DEPTH(70)
#undef DUK_USE_COMPILER_RECLIMIT
#define DUK_USE_COMPILER_RECLIMIT STRATUS_JS_DEPTH(200)
#undef DUK_USE_REGEXP_COMPILER_RECLIMIT
#define DUK_USE_REGEXP_COMPILER_RECLIMIT STRATUS_JS_DEPTH(150)
#undef DUK_USE_REGEXP_EXECUTOR_RECLIMIT
#define DUK_USE_REGEXP_EXECUTOR_RECLIMIT STRATUS_JS_DEPTH(300)
#undef DUK_USE_JSON_DEC_RECLIMIT
#define DUK_USE_JSON_DEC_RECLIMIT STRATUS_JS_DEPTH(400)
#undef DUK_USE_JSON_ENC_RECLIMIT
#define DUK_USE_JSON_ENC_RECLIMIT STRATUS_JS_DEPTH(200)
#undef DUK_USE_CBOR_DEC_RECLIMIT
#define DUK_USE_CBOR_DEC_RECLIMIT STRATUS_JS_DEPTH(300)
#undef DUK_USE_CBOR_ENC_RECLIMIT
#define DUK_USE_CBOR_ENC_RECLIMIT STRATUS_JS_DEPTH(300)
