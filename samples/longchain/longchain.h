/*
 * longchain.h - helpers shared by the longchain functions (start.c, step.c, status.c,
 * increment.c, chain.c).
 * Freestanding: no libc, no WASI; only the `stratus` imports of sdk/c/stratus.h.
 */
#ifndef LONGCHAIN_H
#define LONGCHAIN_H

#include "../common/guest.h"

/* The number of steps in the chain (ServerlessBench's test case 3 uses a chain of 100). */
#define CHAIN_LENGTH 100

#define COUNT_KEY "chain/count"
#define START_KEY "chain/start_ns"
#define END_KEY "chain/end_ns"

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

/* The invocation's input as a decimal number into *out: 0 for an empty input; trailing
 * whitespace (a newline from `echo` or a terminal) is ignored. 0, or -1 if it is no number. */
static inline int input_u64(u64 *out) {
    char text[24];
    stratus_i32 h = stratus_input();
    stratus_i32 n = h < 0 ? 0 : stratus_buf_read(h, 0, text, (stratus_i32)sizeof(text));
    if (n == (stratus_i32)sizeof(text))
        return -1;  /* longer than any number with some trailing whitespace */
    while (n > 0 && (text[n - 1] == ' ' || (text[n - 1] >= '\t' && text[n - 1] <= '\r')))
        n--;
    if (n == 0) {
        *out = 0;
        return 0;
    }
    return parse_u64(text, n, out);
}

static inline void out_u64(u64 v) {
    char digits[20];
    stratus_out_write(digits, format_u64(digits, v));
}

static inline void json_header(void) {
    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("application/json"));
}

static inline void text_header(void) {
    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("text/plain"));
}

#endif /* LONGCHAIN_H */
