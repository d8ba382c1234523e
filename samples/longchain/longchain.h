/*
 * longchain.h - helpers shared by the longchain functions (start.c, step.c, status.c).
 * Freestanding: no libc, no WASI; only the `stratus` imports of sdk/c/stratus.h.
 */
#ifndef LONGCHAIN_H
#define LONGCHAIN_H

#include "stratus.h"

typedef unsigned long long u64;

/* The number of steps in the chain (ServerlessBench's test case 3 uses a chain of 100). */
#define CHAIN_LENGTH 100

#define COUNT_KEY "chain/count"
#define START_KEY "chain/start_ns"
#define END_KEY "chain/end_ns"

/* A failed store call: log it and trap, so the invocation fails (500 over HTTP) and an event
 * is delivered again. */
static inline void fail(const char *message, stratus_i32 len) {
    stratus_log(STRATUS_LOG_ERROR, message, len);
    __builtin_trap();
}
#define FAIL(s) fail(STRATUS_LIT(s))

/* Writes v in decimal to out (at least 20 bytes); returns the length. */
static inline int format_u64(char *out, u64 v) {
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Parses decimal digits; returns 0, or -1 when `s` is empty or holds anything else. */
static inline int parse_u64(const char *s, int n, u64 *out) {
    if (n <= 0 || n > 19)
        return -1;
    u64 v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (u64)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Reads a decimal value from buffer h (freeing it) into *out; 0, or -1 if it is no number. */
static inline int read_u64(stratus_i32 h, u64 *out) {
    char text[24];
    stratus_i32 n = stratus_buf_read(h, 0, text, (stratus_i32)sizeof(text));
    stratus_buf_free(h);
    return parse_u64(text, n, out);
}

/* The decimal value of `key`: 1 if found, 0 if absent or no number. Traps on a store failure. */
static inline int get_u64(const char *key, stratus_i32 key_len, u64 *out) {
    stratus_i32 h = stratus_kv_get(key, key_len);
    if (h == STRATUS_NOT_FOUND)
        return 0;
    if (h < 0)
        FAIL("kv_get failed");
    return read_u64(h, out) == 0;
}

static inline void out_u64(u64 v) {
    char digits[20];
    stratus_out_write(digits, format_u64(digits, v));
}

static inline void json_header(void) {
    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("application/json"));
}

#endif /* LONGCHAIN_H */
