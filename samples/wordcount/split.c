/*
 * split (POST /wordcount): the first stage of the word count. The body is a text; it is cut
 * into slices of at most 64 KiB, each written to wc/slice/{n} (n = 0, 1, 2, ...), and each
 * write starts `count` on that slice. Before that, the previous job's state is removed (its
 * wc/count/ keys and any slice left over) and wc/slices is set to the number of slices.
 *
 * A slice is cut just after a whitespace byte, so no word is split across two slices; only a
 * single word longer than 64 KiB is cut (and then counts as two words or more).
 *
 * Answers {"slices": N, "bytes": B} as application/json.
 */
#include "wordcount.h"

/* One slice and the byte after it, which tells whether a full slice ends a word. */
static char slice[SLICE_MAX + 1];
static char key[520];

/* Deletes every key under `prefix`. kv_scan answers at most `limit` pairs, so scan again
 * until nothing is left; values are skipped, only keys are read. */
static void delete_all(const char *prefix, stratus_i32 prefix_len, stratus_i32 limit) {
    for (;;) {
        stratus_i32 h = stratus_kv_scan(prefix, prefix_len, limit);
        if (h < 0)
            FAIL("kv_scan failed");
        stratus_i32 len = stratus_buf_len(h);
        if (len == 0) {
            stratus_buf_free(h);
            return;
        }
        stratus_i32 offset = 0;
        while (offset < len) {
            u32 key_len = buf_u32(h, offset);
            offset += 4;
            if (key_len > sizeof(key) || stratus_buf_read(h, offset, key, (stratus_i32)key_len) != (stratus_i32)key_len)
                FAIL("kv_scan: bad key");
            offset += (stratus_i32)key_len;
            offset += 4 + (stratus_i32)buf_u32(h, offset);
            stratus_i32 r = stratus_kv_delete(key, (stratus_i32)key_len);
            if (r < 0 && r != STRATUS_NOT_FOUND)
                FAIL("kv_delete failed");
        }
        stratus_buf_free(h);
    }
}

/* Reads the slice starting at `offset` of the input into `slice`; returns its length, 0 at
 * the end of the input. */
static stratus_i32 next_slice(stratus_i32 input, stratus_i32 offset) {
    stratus_i32 n = stratus_buf_read(input, offset, slice, SLICE_MAX + 1);
    if (n <= SLICE_MAX)
        return n < 0 ? 0 : n;  /* the rest of the input fits */
    /* A full slice ends a word when its last byte or the byte after it is whitespace. */
    if (is_space((unsigned char)slice[SLICE_MAX - 1]) || is_space((unsigned char)slice[SLICE_MAX]))
        return SLICE_MAX;
    for (stratus_i32 i = SLICE_MAX - 1; i > 0; i--)
        if (is_space((unsigned char)slice[i - 1]))
            return i;
    return SLICE_MAX;  /* one word longer than a slice: cut it */
}

__attribute__((export_name("handle")))
void handle(void) {
    stratus_i32 input = stratus_input();
    stratus_i32 total = input < 0 ? 0 : stratus_buf_len(input);

    /* The previous job: slices not yet counted first, then its counts. */
    delete_all(STRATUS_LIT(SLICE_PREFIX), 16);
    delete_all(STRATUS_LIT(COUNT_PREFIX), 1000);

    /* How many slices there will be, before the first one starts a count. */
    u64 slices = 0;
    for (stratus_i32 offset = 0, n; (n = next_slice(input, offset)) > 0; offset += n)
        slices++;
    char digits[20];
    if (stratus_kv_set(STRATUS_LIT(SLICES_KEY), digits, format_u64(digits, slices)) < 0)
        FAIL("kv_set wc/slices failed");

    u64 index = 0;
    for (stratus_i32 offset = 0, n; (n = next_slice(input, offset)) > 0; offset += n, index++) {
        int key_len = make_key(key, STRATUS_LIT(SLICE_PREFIX), digits, format_u64(digits, index));
        if (stratus_kv_set(key, key_len, slice, n) < 0)
            FAIL("kv_set of a slice failed");
    }

    json_header();
    stratus_out_write(STRATUS_LIT("{\"slices\": "));
    out_u64(slices);
    stratus_out_write(STRATUS_LIT(", \"bytes\": "));
    out_u64((u64)total);
    stratus_out_write(STRATUS_LIT("}"));
}
