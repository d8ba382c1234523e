/*
 * runner.c - the Stratus JavaScript runner: Duktape as a native-ABI guest.
 *
 * The host instantiates the runner once per JavaScript function and calls `js_init` with
 * the script as the invocation input; the script must define a global function handle().
 * The host snapshots the instance after js_init, and each invocation calls the export
 * `handle`, which calls the script's handle(). Scripts reach the platform through the
 * global `stratus` object (and `console`). An uncaught JavaScript error is logged at
 * error level as "JavaScript error: <stack>" and the runner traps. js/README.md has the
 * whole contract.
 */
#include <stdint.h>
#include <string.h>

#include "duktape.h"
#include "stratus.h"

#define EXPORT(name) __attribute__((export_name(name)))

static duk_context *js;  /* the Duktape heap: made by js_init, kept in the snapshot */
static uint64_t rng;     /* Math.random's state (splitmix64), reseeded per invocation */

/* ---- Text between the host (UTF-8) and Duktape (CESU-8) --------------------------------- */

/* One UTF-8 sequence at p (n > 0 bytes left): its code point, or -1 when invalid; *len is
 * the bytes it takes (1 when invalid). Encoded surrogates (CESU-8) decode too. */
static int32_t decode(const unsigned char *p, size_t n, size_t *len) {
    uint32_t c = p[0], cp, min;
    size_t k;
    *len = 1;
    if (c < 0x80) return (int32_t) c;
    if (c >= 0xc2 && c <= 0xdf) k = 1, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef) k = 2, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4) k = 3, cp = c & 0x07, min = 0x10000;
    else return -1;
    if (n <= k) return -1;
    for (size_t i = 1; i <= k; i++) {
        if ((p[i] & 0xc0) != 0x80) return -1;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff) return -1;
    *len = k + 1;
    return (int32_t) cp;
}

static size_t encode(unsigned char *o, uint32_t cp) {
    if (cp < 0x80) return o[0] = (unsigned char) cp, 1;
    if (cp < 0x800) return o[0] = 0xc0 | cp >> 6, o[1] = 0x80 | (cp & 0x3f), 2;
    if (cp < 0x10000)
        return o[0] = 0xe0 | cp >> 12, o[1] = 0x80 | (cp >> 6 & 0x3f), o[2] = 0x80 | (cp & 0x3f), 3;
    o[0] = 0xf0 | cp >> 18, o[1] = 0x80 | (cp >> 12 & 0x3f), o[2] = 0x80 | (cp >> 6 & 0x3f);
    return o[3] = 0x80 | (cp & 0x3f), 4;
}

#define IS_HIGH(cp) ((cp) >= 0xd800 && (cp) <= 0xdbff)
#define IS_LOW(cp) ((cp) >= 0xdc00 && (cp) <= 0xdfff)

/* Re-encodes text. to_js: host UTF-8 to Duktape's strings, where code points above U+FFFF
 * are surrogate pairs (CESU-8, as Duktape's own lexer and TextDecoder make them). Else
 * back: pairs joined, lone surrogates as U+FFFD, so the host always gets valid UTF-8.
 * Invalid bytes become U+FFFD. Writes to out unless NULL; returns the output length and
 * sets *changed when it differs from the input. */
static size_t recode(const unsigned char *in, size_t n, unsigned char *out, int to_js, int *changed) {
    size_t at = 0, m = 0, len, t;
    unsigned char tmp[8];
    *changed = 0;
    while (at < n) {
        if (in[at] < 0x80) {  /* ASCII */
            if (out) out[m] = in[at];
            m++, at++;
            continue;
        }
        int32_t cp = decode(in + at, n - at, &len);
        if (to_js) {
            if (cp < 0 || IS_HIGH(cp) || IS_LOW(cp)) cp = 0xfffd;
            if (cp > 0xffff) {
                t = encode(tmp, 0xd800 | (uint32_t) (cp - 0x10000) >> 10);
                t += encode(tmp + t, 0xdc00 | (cp & 0x3ff));
            } else {
                t = encode(tmp, (uint32_t) cp);
            }
        } else {
            size_t len2;
            if (IS_HIGH(cp) && at + len < n) {
                int32_t low = decode(in + at + len, n - at - len, &len2);
                if (IS_LOW(low)) cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00), len += len2;
            }
            if (cp < 0 || IS_HIGH(cp) || IS_LOW(cp)) cp = 0xfffd;
            t = encode(tmp, (uint32_t) cp);
        }
        if (t != len || memcmp(tmp, in + at, t) != 0) *changed = 1;
        if (out) memcpy(out + m, tmp, t);
        m += t, at += len;
    }
    return m;
}

/* Pushes UTF-8 text from the host as a JavaScript string. */
static void push_text(duk_context *ctx, const char *p, duk_size_t n) {
    int changed;
    size_t m = recode((const unsigned char *) p, n, NULL, 1, &changed);
    if (!changed) {
        duk_push_lstring(ctx, p, n);
        return;
    }
    unsigned char *out = duk_push_fixed_buffer(ctx, m);
    recode((const unsigned char *) p, n, out, 1, &changed);
    duk_push_lstring(ctx, (const char *) out, m);
    duk_remove(ctx, -2);
}

/* The string at index i in UTF-8 for the host; a re-encoded copy stays on the stack. */
static const char *utf8_at(duk_context *ctx, duk_idx_t i, duk_size_t *n) {
    int changed;
    const char *s = duk_get_lstring(ctx, i, n);
    size_t m = recode((const unsigned char *) s, *n, NULL, 0, &changed);
    if (!changed) return s;
    unsigned char *out = duk_push_fixed_buffer(ctx, m);
    recode((const unsigned char *) s, *n, out, 0, &changed);
    *n = m;
    return (const char *) out;
}

/* ---- Failing ---------------------------------------------------------------------------- */

/* Logs "JavaScript error: <a><b>" at error level, then traps. */
static _Noreturn void die_with(const char *a, const char *b) {
    static char line[1024];
    size_t n = 0;
    const char *parts[] = {"JavaScript error: ", a, b};
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p && n < sizeof line; p++) line[n++] = *p;
    stratus_log(STRATUS_LOG_ERROR, line, (stratus_i32) n);
    __builtin_trap();
}

/* Logs the error on top of the stack ("JavaScript error: " + its .stack, or its string
 * when it has none) at error level, then traps. */
static _Noreturn void die(duk_context *ctx) {
    duk_size_t len;
    duk_safe_to_stacktrace(ctx, -1);
    duk_push_string(ctx, "JavaScript error: ");
    duk_swap_top(ctx, -2);
    duk_concat(ctx, 2);
    const char *text = utf8_at(ctx, -1, &len);
    stratus_log(STRATUS_LOG_ERROR, text, (stratus_i32) len);
    __builtin_trap();
}

/* Duktape's last resort (an error with no catcher, or an internal failure). */
static void fatal(void *udata, const char *msg) {
    (void) udata;
    die_with("fatal: ", msg ? msg : "");
}

static const char *code_name(int rc) {
    static const char *names[] = {"NOT_FOUND", "INVALID", "DENIED", "TOO_LARGE",
                                  "CONFLICT", "FAILED", "BAD_HANDLE", "LIMIT"};
    return rc <= -1 && rc >= -8 ? names[-rc - 1] : "ERROR";
}

/* Throws an error of type code (DUK_ERR_*). Without the C file and line, which would
 * show up in the error's stack. */
#define THROW(ctx, code, ...) (duk_error_raw((ctx), (code), NULL, 0, __VA_ARGS__), 0)

/* rc, or throws Error("<api>: <CODE>") when rc is an ABI error. */
static int check(duk_context *ctx, const char *api, int rc) {
    if (rc < 0) (void) THROW(ctx, DUK_ERR_ERROR, "%s: %s", api, code_name(rc));
    return rc;
}

/* ---- Arguments and results -------------------------------------------------------------- */

/* Argument i as a name or key: it must be a string (TypeError otherwise). */
static const char *name_arg(duk_context *ctx, duk_idx_t i, duk_size_t *n) {
    duk_require_string(ctx, i);
    return utf8_at(ctx, i, n);
}

/* Argument i as text: ToString(arg) in UTF-8. */
static const char *text_arg(duk_context *ctx, duk_idx_t i, duk_size_t *n) {
    duk_to_string(ctx, i);
    return utf8_at(ctx, i, n);
}

/* Argument i as bytes: a buffer, ArrayBuffer or typed array as it is, else as text. */
static const char *bytes_arg(duk_context *ctx, duk_idx_t i, duk_size_t *n) {
    if (duk_is_buffer_data(ctx, i)) {
        const char *p = duk_get_buffer_data(ctx, i, n);
        return p ? p : "";
    }
    return text_arg(ctx, i, n);
}

/* Reads host buffer h into a new fixed Duktape buffer pushed on the stack. */
static char *read_buffer(duk_context *ctx, int h, duk_size_t *len) {
    int size = stratus_buf_len(h);
    char *p = duk_push_fixed_buffer(ctx, size > 0 ? (duk_size_t) size : 0);
    int got = 0, n;
    while (got < size && (n = stratus_buf_read(h, got, p + got, size - got)) > 0) got += n;
    *len = (duk_size_t) got;
    return p;
}

enum { AS_TEXT = 0, AS_BYTES = 1, KEEP = 2 };

/* Pushes host buffer h as a string (its bytes read as UTF-8) or a Uint8Array; frees h
 * unless KEEP. */
static void push_buffer(duk_context *ctx, int h, int how) {
    duk_size_t len;
    char *p = read_buffer(ctx, h, &len);
    if (!(how & KEEP)) stratus_buf_free(h);
    if (how & AS_BYTES) {
        duk_push_buffer_object(ctx, -1, 0, len, DUK_BUFOBJ_UINT8ARRAY);
    } else {
        push_text(ctx, p, len);
    }
    duk_remove(ctx, -2);
}

/* ---- stratus.* -------------------------------------------------------------------------- */

static duk_ret_t js_input(duk_context *ctx) {
    push_buffer(ctx, check(ctx, "stratus.input", stratus_input()), AS_TEXT);
    return 1;
}

static duk_ret_t js_input_bytes(duk_context *ctx) {
    push_buffer(ctx, check(ctx, "stratus.inputBytes", stratus_input()), AS_BYTES);
    return 1;
}

static duk_ret_t js_ctx(duk_context *ctx) {
    duk_size_t n;
    const char *name = name_arg(ctx, 0, &n);
    int h = stratus_ctx(name, (stratus_i32) n);
    if (h == STRATUS_NOT_FOUND) return 0;
    push_buffer(ctx, check(ctx, "stratus.ctx", h), AS_TEXT);
    return 1;
}

static duk_ret_t js_write(duk_context *ctx) {
    duk_size_t n;
    const char *data = bytes_arg(ctx, 0, &n);
    check(ctx, "stratus.write", stratus_out_write(data, (stratus_i32) n));
    return 0;
}

static duk_ret_t js_status(duk_context *ctx) {
    check(ctx, "stratus.status", stratus_out_status(duk_require_int(ctx, 0)));
    return 0;
}

static duk_ret_t js_header(duk_context *ctx) {
    duk_size_t nn, vn;
    const char *name = name_arg(ctx, 0, &nn);
    const char *value = text_arg(ctx, 1, &vn);
    check(ctx, "stratus.header", stratus_out_header(name, (stratus_i32) nn, value, (stratus_i32) vn));
    return 0;
}

/* log(text) at info, or log(level, text) with level 0-3 or "debug"/"info"/"warn"/"error". */
static duk_ret_t js_log(duk_context *ctx) {
    static const char *levels[] = {"debug", "info", "warn", "error"};
    int level = STRATUS_LOG_INFO;
    duk_idx_t text = 0;
    if (duk_get_top(ctx) >= 2) {
        text = 1;
        if (duk_is_string(ctx, 0)) {
            const char *name = duk_get_string(ctx, 0);
            for (level = 0; level < 4 && strcmp(name, levels[level]) != 0; level++) {}
        } else {
            level = duk_require_int(ctx, 0);
        }
        if (level < 0 || level > 3) return THROW(ctx, DUK_ERR_RANGE_ERROR, "stratus.log: unknown level");
    }
    duk_size_t n;
    duk_safe_to_string(ctx, text);
    const char *s = utf8_at(ctx, text, &n);
    check(ctx, "stratus.log", stratus_log(level, s, (stratus_i32) n));
    return 0;
}

/* Milliseconds since the Unix epoch, with a fraction (the host clock has nanoseconds). */
static duk_ret_t js_now(duk_context *ctx) {
    duk_push_number(ctx, (double) stratus_now_ns() / 1e6);
    return 1;
}

static duk_ret_t js_call(duk_context *ctx) {
    duk_size_t nn, in;
    const char *name = name_arg(ctx, 0, &nn);
    const char *input = bytes_arg(ctx, 1, &in);
    int h = stratus_call(name, (stratus_i32) nn, input, (stratus_i32) in);
    push_buffer(ctx, check(ctx, "stratus.call", h), AS_TEXT);
    return 1;
}

static duk_ret_t js_spawn(duk_context *ctx) {
    duk_size_t nn, in;
    const char *name = name_arg(ctx, 0, &nn);
    const char *input = bytes_arg(ctx, 1, &in);
    check(ctx, "stratus.spawn", stratus_spawn(name, (stratus_i32) nn, input, (stratus_i32) in));
    return 0;
}

/* response.header(name): the response header's value, or undefined. */
static duk_ret_t js_fetch_header(duk_context *ctx) {
    duk_size_t n;
    const char *name = name_arg(ctx, 0, &n);
    duk_push_current_function(ctx);
    duk_get_prop_string(ctx, -1, DUK_HIDDEN_SYMBOL("handle"));
    int h = duk_get_int(ctx, -1);
    char *meta = duk_push_fixed_buffer(ctx, n + 7);  /* "header." + lowercase name */
    memcpy(meta, "header.", 7);
    for (duk_size_t i = 0; i < n; i++)
        meta[7 + i] = (char) (name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    int v = stratus_buf_meta(h, meta, (stratus_i32) (n + 7));
    if (v == STRATUS_NOT_FOUND) return 0;
    push_buffer(ctx, check(ctx, "stratus.fetch header", v), AS_TEXT);
    return 1;
}

/* fetch(method, url, body) -> {status, body, header(name)} */
static duk_ret_t js_fetch(duk_context *ctx) {
    duk_size_t mn, un, bn = 0;
    const char *method = name_arg(ctx, 0, &mn);
    const char *url = name_arg(ctx, 1, &un);
    const char *body = duk_is_null_or_undefined(ctx, 2) ? "" : bytes_arg(ctx, 2, &bn);
    int h = check(ctx, "stratus.fetch",
                  stratus_http_fetch(method, (stratus_i32) mn, url, (stratus_i32) un, body, (stratus_i32) bn));
    duk_push_object(ctx);
    int s = stratus_buf_meta(h, STRATUS_LIT("status"));
    if (s >= 0) {
        push_buffer(ctx, s, AS_TEXT);
        duk_to_number(ctx, -1);
    } else {
        duk_push_int(ctx, 0);
    }
    duk_put_prop_string(ctx, -2, "status");
    push_buffer(ctx, h, AS_TEXT | KEEP);  /* kept for header(): freed with the invocation */
    duk_put_prop_string(ctx, -2, "body");
    duk_push_c_function(ctx, js_fetch_header, 1);
    duk_push_int(ctx, h);
    duk_put_prop_string(ctx, -2, DUK_HIDDEN_SYMBOL("handle"));
    duk_put_prop_string(ctx, -2, "header");
    return 1;
}

/* ---- stratus.kv.* ----------------------------------------------------------------------- */

static int kv_get(duk_context *ctx, int how) {
    duk_size_t kn;
    const char *key = name_arg(ctx, 0, &kn);
    int h = stratus_kv_get(key, (stratus_i32) kn);
    if (h == STRATUS_NOT_FOUND) return 0;
    push_buffer(ctx, check(ctx, "stratus.kv.get", h), how);
    return 1;
}

static duk_ret_t js_kv_get(duk_context *ctx) { return kv_get(ctx, AS_TEXT); }
static duk_ret_t js_kv_get_bytes(duk_context *ctx) { return kv_get(ctx, AS_BYTES); }

static duk_ret_t js_kv_set(duk_context *ctx) {
    duk_size_t kn, vn;
    const char *key = name_arg(ctx, 0, &kn);
    const char *value = bytes_arg(ctx, 1, &vn);
    check(ctx, "stratus.kv.set", stratus_kv_set(key, (stratus_i32) kn, value, (stratus_i32) vn));
    return 0;
}

static duk_ret_t js_kv_delete(duk_context *ctx) {
    duk_size_t kn;
    const char *key = name_arg(ctx, 0, &kn);
    int rc = stratus_kv_delete(key, (stratus_i32) kn);
    duk_push_boolean(ctx, rc != STRATUS_NOT_FOUND && check(ctx, "stratus.kv.delete", rc) >= 0);
    return 1;
}

/* cas(key, expected, value): expected null or undefined means "the key must be absent". */
static duk_ret_t js_kv_cas(duk_context *ctx) {
    duk_size_t kn, en = 0, vn;
    const char *key = name_arg(ctx, 0, &kn);
    int absent = duk_is_null_or_undefined(ctx, 1);
    const char *expected = absent ? "" : bytes_arg(ctx, 1, &en);
    const char *value = bytes_arg(ctx, 2, &vn);
    int rc = stratus_kv_cas(key, (stratus_i32) kn, expected, absent ? -1 : (stratus_i32) en,
                            value, (stratus_i32) vn);
    duk_push_boolean(ctx, rc != STRATUS_CONFLICT && check(ctx, "stratus.kv.cas", rc) >= 0);
    return 1;
}

/* incr(key, delta = 1) -> the new value */
static duk_ret_t js_kv_incr(duk_context *ctx) {
    duk_size_t kn;
    const char *key = name_arg(ctx, 0, &kn);
    double delta = duk_is_undefined(ctx, 1) ? 1 : duk_require_number(ctx, 1);
    if (!(delta >= -9.2e18 && delta <= 9.2e18) || delta != (double) (int64_t) delta)
        return THROW(ctx, DUK_ERR_RANGE_ERROR, "stratus.kv.incr: delta must be an integer");
    stratus_i64 result = 0;
    check(ctx, "stratus.kv.incr", stratus_kv_incr(key, (stratus_i32) kn, (stratus_i64) delta, &result));
    duk_push_number(ctx, (double) result);
    return 1;
}

static uint32_t le32(const unsigned char *p) {
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* scan(prefix, limit = 1000) -> [{key, value}] in key order */
static duk_ret_t js_kv_scan(duk_context *ctx) {
    duk_size_t pn, len;
    const char *prefix = name_arg(ctx, 0, &pn);
    int limit = duk_is_undefined(ctx, 1) ? 1000 : duk_require_int(ctx, 1);
    int h = check(ctx, "stratus.kv.scan", stratus_kv_scan(prefix, (stratus_i32) pn, limit));
    const unsigned char *p = (const unsigned char *) read_buffer(ctx, h, &len);
    stratus_buf_free(h);
    duk_idx_t array = duk_push_array(ctx);
    duk_uarridx_t count = 0;
    for (duk_size_t at = 0; len - at >= 4;) {  /* [u32 key length][key][u32 value length][value] */
        uint32_t kl = le32(p + at);
        if (kl > len - at - 4 || len - at - 4 - kl < 4) break;
        const unsigned char *k = p + at + 4;
        at += 4 + kl;
        uint32_t vl = le32(p + at);
        if (vl > len - at - 4) break;
        duk_push_object(ctx);
        push_text(ctx, (const char *) k, kl);
        duk_put_prop_string(ctx, -2, "key");
        push_text(ctx, (const char *) p + at + 4, vl);
        duk_put_prop_string(ctx, -2, "value");
        duk_put_prop_index(ctx, array, count++);
        at += 4 + vl;
    }
    return 1;
}

/* ---- stratus.ws.* ----------------------------------------------------------------------- */

/* send(connection, data) -> false if the connection is gone */
static duk_ret_t js_ws_send(duk_context *ctx) {
    duk_size_t cn, dn;
    const char *conn = name_arg(ctx, 0, &cn);
    const char *data = bytes_arg(ctx, 1, &dn);
    int rc = stratus_ws_send(conn, (stratus_i32) cn, data, (stratus_i32) dn);
    duk_push_boolean(ctx, rc != STRATUS_NOT_FOUND && check(ctx, "stratus.ws.send", rc) >= 0);
    return 1;
}

static duk_ret_t js_ws_close(duk_context *ctx) {
    duk_size_t cn;
    const char *conn = name_arg(ctx, 0, &cn);
    int rc = stratus_ws_close(conn, (stratus_i32) cn);
    duk_push_boolean(ctx, rc != STRATUS_NOT_FOUND && check(ctx, "stratus.ws.close", rc) >= 0);
    return 1;
}

static const duk_function_list_entry stratus_functions[] = {
    {"input", js_input, 0},   {"inputBytes", js_input_bytes, 0},
    {"ctx", js_ctx, 1},       {"write", js_write, 1},
    {"status", js_status, 1}, {"header", js_header, 2},
    {"log", js_log, DUK_VARARGS}, {"now", js_now, 0},
    {"call", js_call, 2},     {"spawn", js_spawn, 2},
    {"fetch", js_fetch, 3},   {NULL, NULL, 0},
};

static const duk_function_list_entry kv_functions[] = {
    {"get", js_kv_get, 1},       {"getBytes", js_kv_get_bytes, 1},
    {"set", js_kv_set, 2},       {"delete", js_kv_delete, 1},
    {"cas", js_kv_cas, 3},       {"incr", js_kv_incr, 2},
    {"scan", js_kv_scan, 2},     {NULL, NULL, 0},
};

static const duk_function_list_entry ws_functions[] = {
    {"send", js_ws_send, 2}, {"close", js_ws_close, 1}, {NULL, NULL, 0},
};

/* console.{debug,log,info,warn,error}(...values): one log line; objects as JSON, errors
 * with their stack. Called with stratus.log. */
static const char console_js[] =
    "(function (log) {\n"
    "  function logger(level) {\n"
    "    return function () {\n"
    "      var parts = [];\n"
    "      for (var i = 0; i < arguments.length; i++) {\n"
    "        var v = arguments[i];\n"
    "        if (v instanceof Error) v = v.stack || v;\n"
    "        else if (typeof v === 'object' && v !== null) { try { v = JSON.stringify(v); } catch (e) {} }\n"
    "        parts.push(String(v));\n"
    "      }\n"
    "      log(level, parts.join(' '));\n"
    "    };\n"
    "  }\n"
    "  return { debug: logger(0), log: logger(1), info: logger(1), warn: logger(2), error: logger(3) };\n"
    "})";

/* Like duk_put_function_list into the object on top, with each function named (stack
 * traces then say "at write () native"). */
static void put_functions(duk_context *ctx, const duk_function_list_entry *f) {
    for (; f->key; f++) {
        duk_push_c_function(ctx, f->value, f->nargs);
        duk_push_string(ctx, "name");
        duk_push_string(ctx, f->key);
        duk_def_prop(ctx, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE);
        duk_put_prop_string(ctx, -2, f->key);
    }
}

static void define_api(duk_context *ctx) {
    duk_push_object(ctx);
    put_functions(ctx, stratus_functions);
    duk_push_object(ctx);
    put_functions(ctx, kv_functions);
    duk_put_prop_string(ctx, -2, "kv");
    duk_push_object(ctx);
    put_functions(ctx, ws_functions);
    duk_put_prop_string(ctx, -2, "ws");
    duk_eval_string(ctx, console_js);
    duk_get_prop_string(ctx, -2, "log");
    duk_call(ctx, 1);
    duk_put_global_string(ctx, "console");
    duk_put_global_string(ctx, "stratus");
}

/* ---- Clock and randomness for Duktape (js/duk_config_stratus.h) ------------------------- */

double stratus_js_date_now(void) {
    return (double) (stratus_now_ns() / 1000000);  /* whole milliseconds, as Date wants */
}

double stratus_js_random(void) {
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double) (z >> 11) * 0x1.0p-53;
}

/* Mixes the clock and the invocation id into Math.random's state. */
static void reseed(void) {
    uint64_t seed = (uint64_t) stratus_now_ns();
    unsigned char id[64];
    int h = stratus_ctx(STRATUS_LIT("invocation"));
    if (h >= 0) {
        int n = stratus_buf_read(h, 0, id, sizeof id);
        for (int i = 0; i < n; i++) seed = (seed ^ id[i]) * 0x100000001b3ULL;
        stratus_buf_free(h);
    }
    rng ^= seed;
}

/* ---- Entry points ----------------------------------------------------------------------- */

/* Defines the API, then compiles and runs the script (the invocation input). */
static duk_ret_t init_script(duk_context *ctx, void *udata) {
    (void) udata;
    define_api(ctx);
    push_buffer(ctx, check(ctx, "stratus.input", stratus_input()), AS_TEXT);
    duk_push_string(ctx, "script.js");
    duk_compile(ctx, 0);
    duk_call(ctx, 0);
    duk_get_global_string(ctx, "handle");
    if (!duk_is_function(ctx, -1))
        return THROW(ctx, DUK_ERR_TYPE_ERROR, "the script must define a global function handle");
    return 0;
}

static duk_ret_t call_handle(duk_context *ctx, void *udata) {
    (void) udata;
    duk_get_global_string(ctx, "handle");
    duk_call(ctx, 0);
    return 0;
}

EXPORT("js_init") void js_init(void) {
    if (js) die_with("js_init ran twice", "");
    js = duk_create_heap(NULL, NULL, NULL, NULL, fatal);
    if (!js) die_with("cannot create the JavaScript heap", "");
    reseed();
    if (duk_safe_call(js, init_script, NULL, 0, 1) != DUK_EXEC_SUCCESS) die(js);
    duk_pop(js);
    duk_gc(js, 0);  /* free the compiler's garbage before the snapshot */
}

EXPORT("handle") void handle(void) {
    if (!js) die_with("js_init has not run", "");
    reseed();
    if (duk_safe_call(js, call_handle, NULL, 0, 1) != DUK_EXEC_SUCCESS) die(js);
    duk_pop(js);
}
