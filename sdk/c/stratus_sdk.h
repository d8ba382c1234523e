/*
 * stratus_sdk.h - the Stratus C SDK: the guest ABI of ABI.md as plain C functions.
 *
 * Header-only: every function is `static inline`, so a guest just includes this file
 * (with -I sdk/c) and only what it uses ends up in its module, imports included. It sits
 * on the raw imports of stratus.h, which stay available. It needs libc (malloc, free,
 * memcpy, memmove, strlen, atoi): link with wasi-libc, as scripts/build-samples.sh does.
 *
 * Conventions (README.md has the whole API in a table):
 *  - Functions return an int: STRATUS_OK (0) or a negative STRATUS_* code of stratus.h.
 *    st_strerror names a code.
 *  - In: names, keys, prefixes, methods and URLs are NUL-terminated C strings; bodies and
 *    values are byte slices (pointer, length). A NULL pointer with length 0 is empty.
 *  - Out: results are written to an out-parameter that the caller then owns; free it with
 *    the matching st_*_free. On error the out-parameter is left empty, so freeing it is
 *    always safe. Owned bytes are NUL-terminated (the NUL not counted), so text results can
 *    be used as C strings.
 *  - Running out of memory (malloc failing) reports STRATUS_TOO_LARGE: the function hit its
 *    memory limit.
 *  - No stdio: printf-style helpers would pull WASI imports (fd_write, ...) into every
 *    module that uses them; st_write_i64 writes numbers instead.
 *
 * A native-ABI guest exports `handle`:
 *
 *   #include "stratus_sdk.h"
 *   ST_EXPORT("handle") void handle(void) {
 *       st_bytes name;
 *       st_write_str("Hello, ");
 *       st_write_str(st_ctx("param.name", &name) == STRATUS_OK ? name.data : "world");
 *       st_bytes_free(&name);   // safe even when st_ctx failed
 *   }
 */
#ifndef STRATUS_SDK_H
#define STRATUS_SDK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stratus.h"

/* Exports a function under `name`: ST_EXPORT("handle") void handle(void) { ... }. A
 * manifest's `entry` may name another export. */
#define ST_EXPORT(name) __attribute__((export_name(name)))

/* Owned bytes: `data` is malloc'd and NUL-terminated; `len` excludes the NUL. Empty
 * ({NULL, 0}) after an error. Free with st_bytes_free. */
typedef struct {
    char *data;
    size_t len;
} st_bytes;

/* Borrowed bytes inside an st_pairs, valid until st_pairs_free; NUL-terminated too. */
typedef struct {
    const char *data;
    size_t len;
} st_slice;

/* One key/value pair of a KV scan. */
typedef struct {
    st_slice key;
    st_slice value;
} st_pair;

/* The result of st_kv_scan: `count` pairs in key order. Free with st_pairs_free. */
typedef struct {
    st_pair *items;
    size_t count;
    char *storage_; /* the bytes the slices point into */
} st_pairs;

/* The answer of st_call or st_fetch: its HTTP status (0 if the host gave none), its body,
 * and the host buffer that still holds its headers (for st_response_header). Free with
 * st_response_free. */
typedef struct {
    int status;
    st_bytes body;
    stratus_i32 handle;
} st_response;

/* ---- Internal helpers ------------------------------------------------------------------ */

/* A C string as the (pointer, i32 length) pair the raw imports take. */
#define ST__STR(s) (s), (stratus_i32)strlen(s)

/* Whether a slice length fits the ABI's i32 (a larger one cannot be passed). */
static inline int st__fits(size_t len) {
    return len <= 0x7fffffffu;
}

/* Copies the whole of buffer `handle` into *out, leaving the handle alive. */
static inline int st__copy(stratus_i32 handle, st_bytes *out) {
    out->data = NULL;
    out->len = 0;
    stratus_i32 len = stratus_buf_len(handle);
    if (len < 0)
        return len;
    char *data = (char *)malloc((size_t)len + 1);
    if (data == NULL)
        return STRATUS_TOO_LARGE;
    for (stratus_i32 got = 0; got < len;) {
        stratus_i32 n = stratus_buf_read(handle, got, data + got, len - got);
        if (n <= 0) { /* the buffer cannot shrink: a short read is a host failure */
            free(data);
            return n < 0 ? n : STRATUS_FAILED;
        }
        got += n;
    }
    data[len] = '\0';
    out->data = data;
    out->len = (size_t)len;
    return STRATUS_OK;
}

/* ---- Errors and owned results ---------------------------------------------------------- */

/* The name of an error code ("NOT_FOUND", ...), "OK" for 0, "UNKNOWN" otherwise. */
static inline const char *st_strerror(int code) {
    static const char *const names[] = {"OK", "NOT_FOUND", "INVALID", "DENIED", "TOO_LARGE",
                                        "CONFLICT", "FAILED", "BAD_HANDLE", "LIMIT"};
    return code <= 0 && code >= STRATUS_LIMIT ? names[-code] : "UNKNOWN";
}

/* Frees owned bytes and empties them; safe on empty bytes and twice. */
static inline void st_bytes_free(st_bytes *b) {
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

/* Takes a raw buffer handle (or a negative code, passed through): copies the buffer into
 * *out and frees the handle. Bridges raw stratus.h calls to owned results. */
static inline int st_buf_take(stratus_i32 handle, st_bytes *out) {
    out->data = NULL;
    out->len = 0;
    if (handle < 0)
        return handle;
    int rc = st__copy(handle, out);
    stratus_buf_free(handle);
    return rc;
}

/* ---- Input, context, output, log, time ------------------------------------------------ */

/* The invocation's input: HTTP request body, event payload, or caller's input. */
static inline int st_input(st_bytes *out) {
    return st_buf_take(stratus_input(), out);
}

/* A context value ("method", "path", "query", "header.<lowercase-name>", "param.<name>",
 * "trigger", "key", "op", "app", "function", "invocation", "var.<name>", ...);
 * STRATUS_NOT_FOUND when it is not set. */
static inline int st_ctx(const char *name, st_bytes *out) {
    return st_buf_take(stratus_ctx(ST__STR(name)), out);
}

/* Appends bytes to the response body. */
static inline int st_write(const void *data, size_t len) {
    if (!st__fits(len))
        return STRATUS_TOO_LARGE;
    return stratus_out_write(data, (stratus_i32)len);
}

/* Appends a C string to the response body. */
static inline int st_write_str(const char *s) {
    return st_write(s, strlen(s));
}

/* Appends a number in decimal to the response body. */
static inline int st_write_i64(int64_t v) {
    char text[20];
    size_t n = sizeof(text);
    /* Digits from the end; the magnitude as unsigned, so INT64_MIN works too. */
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        text[--n] = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    if (v < 0)
        text[--n] = '-';
    return st_write(text + n, sizeof(text) - n);
}

/* Sets the HTTP status (100 to 599; default 200). */
static inline int st_status(int code) {
    return stratus_out_status(code);
}

/* Adds a response header; STRATUS_INVALID for a bad name or value. */
static inline int st_header(const char *name, const char *value) {
    return stratus_out_header(ST__STR(name), ST__STR(value));
}

/* A log line of the invocation at level STRATUS_LOG_DEBUG, _INFO, _WARN or _ERROR. */
static inline int st_log(int level, const char *message) {
    return stratus_log(level, ST__STR(message));
}

/* Wall-clock time in nanoseconds since the Unix epoch. */
static inline int64_t st_now_ns(void) {
    return (int64_t)stratus_now_ns();
}

/* ---- Key-value store (the app's namespace; the manifest's grants apply) ---------------- */

/* The value of `key`; STRATUS_NOT_FOUND when absent. */
static inline int st_kv_get(const char *key, st_bytes *out) {
    return st_buf_take(stratus_kv_get(ST__STR(key)), out);
}

/* Sets `key` to the bytes (val, len). */
static inline int st_kv_set(const char *key, const void *val, size_t len) {
    if (!st__fits(len))
        return STRATUS_TOO_LARGE;
    return stratus_kv_set(ST__STR(key), val, (stratus_i32)len);
}

/* Sets `key` to a C string (without its NUL). */
static inline int st_kv_set_str(const char *key, const char *val) {
    return st_kv_set(key, val, strlen(val));
}

/* Deletes `key`; STRATUS_NOT_FOUND when it was absent. */
static inline int st_kv_delete(const char *key) {
    return stratus_kv_delete(ST__STR(key));
}

/* Sets `key` to (val, len) only if it now holds exactly (expected, exp_len);
 * STRATUS_CONFLICT otherwise (also when the key is absent). */
static inline int st_kv_cas(const char *key, const void *expected, size_t exp_len,
                            const void *val, size_t len) {
    if (!st__fits(exp_len) || !st__fits(len))
        return STRATUS_TOO_LARGE;
    return stratus_kv_cas(ST__STR(key), expected, (stratus_i32)exp_len, val, (stratus_i32)len);
}

/* Sets `key` to (val, len) only if it is absent; STRATUS_CONFLICT if it exists. */
static inline int st_kv_cas_absent(const char *key, const void *val, size_t len) {
    if (!st__fits(len))
        return STRATUS_TOO_LARGE;
    return stratus_kv_cas(ST__STR(key), NULL, -1, val, (stratus_i32)len); /* -1: must be absent */
}

/* Adds `delta` to the decimal number stored at `key` (an absent key counts as 0) and
 * stores the sum as decimal text; the sum goes to *value unless value is NULL. */
static inline int st_kv_incr(const char *key, int64_t delta, int64_t *value) {
    stratus_i64 sum = 0;
    int rc = stratus_kv_incr(ST__STR(key), (stratus_i64)delta, &sum);
    if (rc == STRATUS_OK && value != NULL)
        *value = (int64_t)sum;
    return rc;
}

/* A little-endian u32 of the scan framing. */
static inline size_t st__u32le(const char *p) {
    const unsigned char *b = (const unsigned char *)p;
    return (size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16 | (size_t)b[3] << 24;
}

/* The number of pairs in a scan buffer, or -1 if its framing is broken. */
static inline long st__count_pairs(const st_bytes *raw) {
    long count = 0;
    size_t pos = 0;
    while (pos < raw->len) {
        for (int field = 0; field < 2; field++) { /* key, then value */
            if (raw->len - pos < 4)
                return -1;
            size_t n = st__u32le(raw->data + pos);
            if (n > raw->len - pos - 4)
                return -1;
            pos += 4 + n;
        }
        count++;
    }
    return count;
}

/* Up to `limit` (> 0; the server caps it) pairs whose keys start with `prefix`, in key
 * order. Keys and values are slices into *out, valid until st_pairs_free. */
static inline int st_kv_scan(const char *prefix, int limit, st_pairs *out) {
    out->items = NULL;
    out->count = 0;
    out->storage_ = NULL;
    st_bytes raw;
    int rc = st_buf_take(stratus_kv_scan(ST__STR(prefix), limit), &raw);
    if (rc != STRATUS_OK)
        return rc;
    long count = st__count_pairs(&raw);
    if (count < 0) {
        st_bytes_free(&raw);
        return STRATUS_FAILED;
    }
    st_pair *items = (st_pair *)malloc(count > 0 ? (size_t)count * sizeof(st_pair) : 1);
    if (items == NULL) {
        st_bytes_free(&raw);
        return STRATUS_TOO_LARGE;
    }
    /* Decode in place: each field moves down over its 4-byte length and gets a NUL after
     * it, so writes never overtake reads and every slice is also a C string. */
    size_t pos = 0, dst = 0;
    for (long i = 0; i < count; i++) {
        st_slice *fields[2] = {&items[i].key, &items[i].value};
        for (int f = 0; f < 2; f++) {
            size_t n = st__u32le(raw.data + pos);
            memmove(raw.data + dst, raw.data + pos + 4, n);
            raw.data[dst + n] = '\0';
            fields[f]->data = raw.data + dst;
            fields[f]->len = n;
            pos += 4 + n;
            dst += n + 1;
        }
    }
    out->items = items;
    out->count = (size_t)count;
    out->storage_ = raw.data;
    return STRATUS_OK;
}

/* Frees a scan result and empties it; safe twice. */
static inline void st_pairs_free(st_pairs *p) {
    free(p->items);
    free(p->storage_);
    p->items = NULL;
    p->count = 0;
    p->storage_ = NULL;
}

/* ---- Responses of call and fetch ------------------------------------------------------- */

/* Fills *out from a result handle of call or http_fetch (or passes its error through). */
static inline int st__response(stratus_i32 handle, st_response *out) {
    out->status = 0;
    out->body.data = NULL;
    out->body.len = 0;
    out->handle = 0;
    if (handle < 0)
        return handle;
    int rc = st__copy(handle, &out->body);
    if (rc != STRATUS_OK) {
        stratus_buf_free(handle);
        return rc;
    }
    out->handle = handle; /* kept for its headers */
    st_bytes status;
    if (st_buf_take(stratus_buf_meta(handle, STRATUS_LIT("status")), &status) == STRATUS_OK) {
        out->status = atoi(status.data);
        st_bytes_free(&status);
    }
    return STRATUS_OK;
}

/* A header of a response (name in any case; repeated headers come joined with ", ");
 * STRATUS_NOT_FOUND when absent. */
static inline int st_response_header(const st_response *r, const char *name, st_bytes *out) {
    char key[256]; /* "header." + name: header names are short */
    size_t n = strlen(name);
    out->data = NULL;
    out->len = 0;
    if (n + 7 > sizeof(key))
        return STRATUS_INVALID;
    memcpy(key, "header.", 7);
    memcpy(key + 7, name, n);
    return st_buf_take(stratus_buf_meta(r->handle, key, (stratus_i32)(n + 7)), out);
}

/* Frees a response (its body and its host buffer) and empties it; safe twice. */
static inline void st_response_free(st_response *r) {
    st_bytes_free(&r->body);
    if (r->handle > 0)
        stratus_buf_free(r->handle);
    r->handle = 0;
    r->status = 0;
}

/* ---- Calling other functions ("function" of the same app, or "app/function") ----------- */

/* Runs `name` with the input (in, len) and waits for its answer (status, headers, body).
 * STRATUS_FAILED if it trapped, STRATUS_DENIED if the manifest's `calls` does not list it,
 * STRATUS_LIMIT past the call depth. */
static inline int st_call(const char *name, const void *in, size_t len, st_response *out) {
    return st__response(st__fits(len) ? stratus_call(ST__STR(name), in, (stratus_i32)len)
                                      : STRATUS_TOO_LARGE, out);
}

/* Starts `name` with the input (in, len) asynchronously: durable, run at least once. */
static inline int st_spawn(const char *name, const void *in, size_t len) {
    if (!st__fits(len))
        return STRATUS_TOO_LARGE;
    return stratus_spawn(ST__STR(name), in, (stratus_i32)len);
}

/* ---- Outbound HTTP (hosts of the manifest's `outbound` only) --------------------------- */

/* Sends an HTTP request (method such as "GET" or "POST", absolute URL, body) and fills *out
 * with the answer, whatever its status. STRATUS_DENIED for a host not in `outbound`,
 * STRATUS_FAILED when no answer came (connection, timeout), STRATUS_TOO_LARGE for an
 * oversized body. */
static inline int st_fetch(const char *method, const char *url, const void *body, size_t len,
                           st_response *out) {
    return st__response(st__fits(len) ? stratus_http_fetch(ST__STR(method), ST__STR(url), body,
                                                           (stratus_i32)len)
                                      : STRATUS_TOO_LARGE, out);
}

/* ---- WebSockets (connections of the app's `websocket` routes) -------------------------- */

/* Sends a message to a live connection (its id is ctx "connection");
 * STRATUS_NOT_FOUND if it is gone. */
static inline int st_ws_send(const char *connection, const void *data, size_t len) {
    if (!st__fits(len))
        return STRATUS_TOO_LARGE;
    return stratus_ws_send(ST__STR(connection), data, (stratus_i32)len);
}

/* Closes a connection; STRATUS_NOT_FOUND if it is gone. */
static inline int st_ws_close(const char *connection) {
    return stratus_ws_close(ST__STR(connection));
}

#endif /* STRATUS_SDK_H */
