/*
 * guest.h - small helpers the C sample guests share: failing loudly and decimal numbers.
 * Freestanding: no libc, no WASI; only the `stratus` imports of sdk/c/stratus.h.
 */
#ifndef SAMPLES_GUEST_H
#define SAMPLES_GUEST_H

#include "stratus.h"

typedef unsigned long long u64;

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

#endif
