/*
 * wordcount.h - helpers shared by the wordcount functions (split.c, count.c, total.c, and
 * through wordtable.h mapwords.c and reducewords.c).
 * Freestanding: no libc, no WASI; only the `stratus` imports of sdk/c/stratus.h.
 */
#ifndef WORDCOUNT_H
#define WORDCOUNT_H

#include "../common/guest.h"

typedef unsigned int u32;

/* The biggest slice `split` writes, and so the most bytes `count` reads at once. */
#define SLICE_MAX 65536
/* Slice keys are wc/slice/{n}, count keys wc/count/{n}; wc/slices holds the number of slices. */
#define SLICE_PREFIX "wc/slice/"
#define COUNT_PREFIX "wc/count/"
#define SLICES_KEY "wc/slices"

/* Word separators: space, \t, \n, \v, \f, \r. */
static inline int is_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Copies prefix then the decimal n to out; returns the length. */
static inline int make_key(char *out, const char *prefix, int prefix_len, const char *n, int n_len) {
    int len = 0;
    for (int i = 0; i < prefix_len; i++)
        out[len++] = prefix[i];
    for (int i = 0; i < n_len; i++)
        out[len++] = n[i];
    return len;
}

/* A little-endian u32 of a buffer at offset (a kv_scan frame's length field). */
static inline u32 buf_u32(stratus_i32 h, stratus_i32 offset) {
    unsigned char b[4];
    if (stratus_buf_read(h, offset, b, 4) != 4)
        FAIL("kv_scan: truncated frame");
    return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static inline void out_u64(u64 v) {
    char digits[20];
    stratus_out_write(digits, format_u64(digits, v));
}

static inline void json_header(void) {
    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("application/json"));
}

#endif /* WORDCOUNT_H */
