/*
 * stratus.h - the Stratus guest ABI, version 1, for C (see ABI.md).
 *
 * Every function is imported from the wasm module `stratus`. Pointers and lengths are
 * offsets and sizes in the guest's exported `memory`; a negative result is one of the
 * STRATUS_* error codes below. Variable-size results come back as buffer handles: read
 * them with stratus_buf_len / stratus_buf_read.
 *
 * The C names carry a `stratus_` prefix (so `log` and `call` do not clash with libc);
 * the wasm import names are the ABI's own.
 *
 * Build a guest that exports `handle` with, for example:
 *   clang --target=wasm32-wasi -O2 -I sdk/c -nostartfiles -Wl,--no-entry \
 *         -Wl,--export=handle app.c -o app.wasm
 *
 * This header needs no libc: it can be used in freestanding guests.
 */
#ifndef STRATUS_H
#define STRATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef int stratus_i32;            /* wasm i32 */
typedef long long stratus_i64;      /* wasm i64 */

/* Error codes (a negative i32 result). */
#define STRATUS_OK          0
#define STRATUS_NOT_FOUND  -1   /* no such key, context value or function */
#define STRATUS_INVALID    -2   /* bad argument: out-of-bounds pointer, bad UTF-8, bad name */
#define STRATUS_DENIED     -3   /* not allowed by the app's manifest */
#define STRATUS_TOO_LARGE  -4   /* over a configured size limit */
#define STRATUS_CONFLICT   -5   /* compare-and-swap lost */
#define STRATUS_FAILED     -6   /* the operation itself failed */
#define STRATUS_BAD_HANDLE -7   /* unknown or freed buffer handle */
#define STRATUS_LIMIT      -8   /* a rate or count limit of the invocation was reached */

/* Log levels for stratus_log. */
#define STRATUS_LOG_DEBUG 0
#define STRATUS_LOG_INFO  1
#define STRATUS_LOG_WARN  2
#define STRATUS_LOG_ERROR 3

#define STRATUS_IMPORT(name) \
    __attribute__((import_module("stratus"), import_name(name)))

/* A string literal as (pointer, length) arguments: stratus_ctx(STRATUS_LIT("method")). */
#define STRATUS_LIT(s) (s), (stratus_i32)(sizeof(s) - 1)

/* ---- Buffers ------------------------------------------------------------------------ */

/* The buffer's length in bytes. */
STRATUS_IMPORT("buf_len")
stratus_i32 stratus_buf_len(stratus_i32 handle);
/* Copies min(cap, len - offset) bytes to ptr; returns that count, 0 at the end. */
STRATUS_IMPORT("buf_read")
stratus_i32 stratus_buf_read(stratus_i32 handle, stratus_i32 offset, void *ptr, stratus_i32 cap);
/* Frees the buffer; 0. Handles are freed anyway at the end of the invocation. */
STRATUS_IMPORT("buf_free")
stratus_i32 stratus_buf_free(stratus_i32 handle);
/* A new handle with a metadata value of `handle` (http_fetch: "status",
 * "header.<lowercase-name>"), or NOT_FOUND. */
STRATUS_IMPORT("buf_meta")
stratus_i32 stratus_buf_meta(stratus_i32 handle, const char *name, stratus_i32 name_len);

/* ---- Input, output and context -------------------------------------------------------- */

/* Handle of the invocation's input (request body, event payload or caller's input). */
STRATUS_IMPORT("input")
stratus_i32 stratus_input(void);
/* Handle of a context value: "method", "path", "query", "header.<name>", "param.<name>",
 * "trigger", "key", "op", "app", "function", "invocation", "var.<name>",
 * "connection", "ws.event"; or NOT_FOUND. */
STRATUS_IMPORT("ctx")
stratus_i32 stratus_ctx(const char *name, stratus_i32 name_len);
/* Appends to the response body; 0. */
STRATUS_IMPORT("out_write")
stratus_i32 stratus_out_write(const void *ptr, stratus_i32 len);
/* Sets the HTTP status (default 200); 0. */
STRATUS_IMPORT("out_status")
stratus_i32 stratus_out_status(stratus_i32 code);
/* Adds a response header; 0. */
STRATUS_IMPORT("out_header")
stratus_i32 stratus_out_header(const char *name, stratus_i32 name_len,
                               const char *value, stratus_i32 value_len);
/* A log line of the invocation (level STRATUS_LOG_*); 0. */
STRATUS_IMPORT("log")
stratus_i32 stratus_log(stratus_i32 level, const char *ptr, stratus_i32 len);
/* Wall-clock time in nanoseconds since the Unix epoch. */
STRATUS_IMPORT("now_ns")
stratus_i64 stratus_now_ns(void);

/* ---- Key-value store (the app's namespace, within the function's grants) -------------- */

/* Handle of the value, or NOT_FOUND. */
STRATUS_IMPORT("kv_get")
stratus_i32 stratus_kv_get(const char *key, stratus_i32 key_len);
/* 0. */
STRATUS_IMPORT("kv_set")
stratus_i32 stratus_kv_set(const char *key, stratus_i32 key_len, const void *val, stratus_i32 val_len);
/* 0, or NOT_FOUND. */
STRATUS_IMPORT("kv_delete")
stratus_i32 stratus_kv_delete(const char *key, stratus_i32 key_len);
/* 0, or CONFLICT; exp_len = -1 means "the key must be absent". */
STRATUS_IMPORT("kv_cas")
stratus_i32 stratus_kv_cas(const char *key, stratus_i32 key_len,
                           const void *expected, stratus_i32 exp_len,
                           const void *val, stratus_i32 val_len);
/* 0; the new value as a little-endian i64 at out. */
STRATUS_IMPORT("kv_incr")
stratus_i32 stratus_kv_incr(const char *key, stratus_i32 key_len, stratus_i64 delta, stratus_i64 *out);
/* Handle of the matching pairs in key order, each
 * [u32 LE key length][key][u32 LE value length][value]. */
STRATUS_IMPORT("kv_scan")
stratus_i32 stratus_kv_scan(const char *prefix, stratus_i32 prefix_len, stratus_i32 limit);

/* ---- Calling other functions ("function" or "app/function") --------------------------- */

/* Handle of the callee's output; FAILED if it trapped, DENIED, LIMIT past the depth. */
STRATUS_IMPORT("call")
stratus_i32 stratus_call(const char *name, stratus_i32 name_len, const void *in, stratus_i32 in_len);
/* 0: a durable asynchronous invocation, run at least once. */
STRATUS_IMPORT("spawn")
stratus_i32 stratus_spawn(const char *name, stratus_i32 name_len, const void *in, stratus_i32 in_len);

/* ---- Outbound HTTP (hosts in the manifest's `outbound` only) -------------------------- */

/* Handle of the response body; "status" and "header.<name>" through stratus_buf_meta. */
STRATUS_IMPORT("http_fetch")
stratus_i32 stratus_http_fetch(const char *method, stratus_i32 method_len,
                               const char *url, stratus_i32 url_len,
                               const void *body, stratus_i32 body_len);

/* ---- WebSockets ------------------------------------------------------------------------ */

/* 0, or NOT_FOUND if the connection is gone. */
STRATUS_IMPORT("ws_send")
stratus_i32 stratus_ws_send(const char *conn, stratus_i32 conn_len, const void *data, stratus_i32 data_len);
/* 0, or NOT_FOUND. */
STRATUS_IMPORT("ws_close")
stratus_i32 stratus_ws_close(const char *conn, stratus_i32 conn_len);

#ifdef __cplusplus
}
#endif

#endif /* STRATUS_H */
