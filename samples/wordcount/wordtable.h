/*
 * wordtable.h - what the word-frequency map and reduce share (mapwords.c, reducewords.c): the
 * whole input read into a static buffer, an open-addressing hash table of distinct words with
 * a count each, and a buffered text output.
 * Freestanding: no libc, no WASI; only the `stratus` imports of sdk/c/stratus.h.
 *
 * Words are not copied: an entry names its bytes by offset and length in the input buffer,
 * which holds still for the whole invocation. So a word may be as long as the input, and the
 * only capacity is the number of distinct words.
 */
#ifndef WORDTABLE_H
#define WORDTABLE_H

#include "wordcount.h"

/* A distinct word and its count. `prefix` is its first 8 bytes, big-endian, zero-padded: one
 * integer comparison settles most lookups and sort comparisons without touching the text. */
typedef struct {
    u64 prefix;
    u64 count;
    u32 offset;
    u32 len;
} word_entry;

/* The table: `slots` (a power of two, at least twice `max` so probes stay short) hold an index
 * into `words` plus one, 0 when empty; `words` are in order of first appearance. `full` is
 * the message logged when a new word does not fit. */
typedef struct {
    const unsigned char *text;
    u32 *slots;
    u32 mask;
    word_entry *words;
    u32 max;
    u32 n;
    const char *full;
    stratus_i32 full_len;
} word_table;

/* Reads the whole input into `buf` (`cap` bytes); returns its length, 0 without input. One
 * host call for the length and one (usually) for the bytes, instead of a chunked copy. */
static inline u32 read_input(unsigned char *buf, u32 cap, const char *too_large, stratus_i32 too_large_len) {
    stratus_i32 h = stratus_input();
    if (h < 0)
        return 0;
    stratus_i32 len = stratus_buf_len(h);
    if (len < 0 || (u32)len > cap)
        fail(too_large, too_large_len);
    u32 got = 0;
    while (got < (u32)len) {
        stratus_i32 n = stratus_buf_read(h, (stratus_i32)got, buf + got, len - (stratus_i32)got);
        if (n <= 0)
            FAIL("buf_read of the input failed");
        got += (u32)n;
    }
    stratus_buf_free(h);
    return got;
}

static inline u64 word_prefix(const unsigned char *p, u32 len) {
    u64 v = 0;
    for (u32 i = 0; i < 8; i++)
        v = v << 8 | (i < len ? p[i] : 0);
    return v;
}

/* FNV-1a, then a murmur3 finaliser: the table indexes by the low bits, which plain FNV-1a
 * mixes poorly. */
static inline u32 word_hash(const unsigned char *p, u32 len) {
    u32 h = 2166136261u;
    for (u32 i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* Adds `count` to the word at text[offset, offset + len) (len > 0), inserting it if new.
 * Traps when a new word does not fit: a wrong count must never be answered. */
static inline void table_add(word_table *t, u32 offset, u32 len, u64 count) {
    const unsigned char *p = t->text + offset;
    u64 prefix = word_prefix(p, len);
    u32 i = word_hash(p, len) & t->mask;
    for (;; i = (i + 1) & t->mask) {
        u32 slot = t->slots[i];
        if (slot == 0)
            break;
        word_entry *e = &t->words[slot - 1];
        if (e->prefix != prefix || e->len != len)
            continue;
        /* Same length and first 8 bytes: compare the rest. */
        const unsigned char *q = t->text + e->offset;
        u32 k = 8;
        while (k < len && p[k] == q[k])
            k++;
        if (k >= len) {
            e->count += count;
            return;
        }
    }
    if (t->n == t->max)
        fail(t->full, t->full_len);
    word_entry *e = &t->words[t->n];
    e->prefix = prefix;
    e->count = count;
    e->offset = offset;
    e->len = len;
    t->slots[i] = ++t->n;
}

/* ---- Buffered output: one out_write per 64 KiB instead of three per word ---------------- */

#define OUT_CAP 65536
static unsigned char out_buf[OUT_CAP];
static u32 out_len;

static inline void out_flush(void) {
    if (out_len > 0)
        stratus_out_write(out_buf, (stratus_i32)out_len);
    out_len = 0;
}

static inline void out_bytes(const unsigned char *p, u32 n) {
    if (n > OUT_CAP - out_len)
        out_flush();
    if (n > OUT_CAP) {
        stratus_out_write(p, (stratus_i32)n);  /* a word longer than the buffer: straight out */
        return;
    }
    for (u32 i = 0; i < n; i++)
        out_buf[out_len + i] = p[i];
    out_len += n;
}

/* One `word<TAB>count\n` line. */
static inline void out_word(const word_table *t, const word_entry *e) {
    unsigned char line[22];
    line[0] = '\t';
    int n = 1 + format_u64((char *)line + 1, e->count);
    line[n++] = '\n';
    out_bytes(t->text + e->offset, e->len);
    out_bytes(line, (u32)n);
}

#endif /* WORDTABLE_H */
