/*
 * count (KV trigger on wc/slice/{}): counts the words of its input, the slice that was
 * written, stores the count at wc/count/{n} (the same n as the slice's key) and deletes the
 * slice. A word is a maximal run of bytes other than space, \t, \n, \v, \f and \r.
 *
 * Delivery is at least once: run again for the same event, it writes the same count again
 * and finds the slice already deleted (NOT_FOUND), which is fine. A store failure traps, so
 * the event is retried.
 *
 * Called directly (no `key` in the context) it answers the word count of its input.
 */
#include "wordcount.h"

static u64 chunk[SLICE_MAX / 8];
static char key[520];
static char count_key[520];

#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL
#define LOW7 0x7F7F7F7F7F7F7F7FULL

/* The high bit of each byte of x that is whitespace, eight bytes at a time (the interpreter
 * runs a few instructions per 8 bytes instead of a few per byte): a byte equal to 0x20, or
 * in 0x09..0x0D. */
static u64 space_bits(u64 x) {
    u64 t = x ^ (ONES * 0x20);
    u64 is_20 = ~(((t & LOW7) + LOW7) | t | LOW7);
    u64 low = x & LOW7;
    u64 ge_09 = (low + ONES * (0x80 - 0x09)) & HIGH;
    u64 ge_0e = (low + ONES * (0x80 - 0x0E)) & HIGH;
    return is_20 | (ge_09 & ~ge_0e & ~x & HIGH);
}

/* The number of words of buffer `h`: the non-whitespace bytes whose previous byte is
 * whitespace (or that begin the buffer). */
static u64 count_words(stratus_i32 h) {
    u64 words = 0;
    u64 before = HIGH;  /* bit 63: the byte before the current eight is whitespace */
    stratus_i32 offset = 0;
    for (;;) {
        stratus_i32 n = stratus_buf_read(h, offset, chunk, (stratus_i32)sizeof(chunk));
        if (n <= 0)
            return words;
        stratus_i32 full = n / 8;
        if (n % 8 != 0) {
            /* Pad the last bytes with spaces, which start no word. */
            unsigned char *tail = (unsigned char *)chunk + n;
            for (stratus_i32 i = n; i < (full + 1) * 8; i++)
                *tail++ = ' ';
            full++;
        }
        for (stratus_i32 i = 0; i < full; i++) {
            u64 space = space_bits(chunk[i]);
            u64 after_space = (space << 8) | (before >> 56);
            words += (u64)__builtin_popcountll(~space & after_space & HIGH);
            before = space;
        }
        offset += n;
    }
}

__attribute__((export_name("handle")))
void handle(void) {
    stratus_i32 input = stratus_input();
    u64 words = input < 0 ? 0 : count_words(input);
    char digits[20];
    int digits_len = format_u64(digits, words);

    stratus_i32 h = stratus_ctx(STRATUS_LIT("key"));
    if (h >= 0) {
        stratus_i32 key_len = stratus_buf_read(h, 0, key, (stratus_i32)sizeof(key));
        const int prefix_len = (int)sizeof(SLICE_PREFIX) - 1;
        if (key_len <= prefix_len || key_len > 512)
            FAIL("count: the key is not wc/slice/{n}");
        for (int i = 0; i < prefix_len; i++)
            if (key[i] != SLICE_PREFIX[i])
                FAIL("count: the key is not wc/slice/{n}");
        int count_len = make_key(count_key, STRATUS_LIT(COUNT_PREFIX), key + prefix_len, key_len - prefix_len);
        if (stratus_kv_set(count_key, count_len, digits, digits_len) < 0)
            FAIL("kv_set of a count failed");
        stratus_i32 r = stratus_kv_delete(key, key_len);
        if (r < 0 && r != STRATUS_NOT_FOUND)
            FAIL("kv_delete of a slice failed");
    }

    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("text/plain"));
    stratus_out_write(digits, digits_len);
}
