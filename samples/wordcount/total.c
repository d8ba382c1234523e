/*
 * total (GET /wordcount): the state of the current job, as application/json:
 *   {"total": T, "slices": N, "counted": M, "done": true|false}
 * T sums the wc/count/{n} values, M is how many there are, N is wc/slices (0 before any job),
 * and done is M == N with no wc/slice/ key left.
 *
 * One kv_scan reads up to 10,000 counts (the ABI's limit of pairs per scan), far more than
 * the 10 MiB default request body makes (a few hundred slices at most).
 */
#include "wordcount.h"

#define MAX_COUNTS 10000

__attribute__((export_name("handle")))
void handle(void) {
    char value[24];

    u64 slices = 0;
    stratus_i32 h = stratus_kv_get(STRATUS_LIT(SLICES_KEY));
    if (h >= 0) {
        stratus_i32 n = stratus_buf_read(h, 0, value, (stratus_i32)sizeof(value));
        if (parse_u64(value, n, &slices) < 0)
            slices = 0;
        stratus_buf_free(h);
    } else if (h != STRATUS_NOT_FOUND) {
        FAIL("kv_get wc/slices failed");
    }

    u64 total = 0, counted = 0;
    h = stratus_kv_scan(STRATUS_LIT(COUNT_PREFIX), MAX_COUNTS);
    if (h < 0)
        FAIL("kv_scan wc/count/ failed");
    stratus_i32 len = stratus_buf_len(h);
    for (stratus_i32 offset = 0; offset < len;) {
        offset += 4 + (stratus_i32)buf_u32(h, offset);  /* the key */
        u32 value_len = buf_u32(h, offset);
        offset += 4;
        u64 words;
        if (value_len <= sizeof(value) &&
            stratus_buf_read(h, offset, value, (stratus_i32)value_len) == (stratus_i32)value_len &&
            parse_u64(value, (int)value_len, &words) == 0) {
            total += words;
            counted++;
        }
        offset += (stratus_i32)value_len;
    }
    stratus_buf_free(h);

    h = stratus_kv_scan(STRATUS_LIT(SLICE_PREFIX), 1);
    if (h < 0)
        FAIL("kv_scan wc/slice/ failed");
    int pending = stratus_buf_len(h) > 0;
    stratus_buf_free(h);

    json_header();
    stratus_out_write(STRATUS_LIT("{\"total\": "));
    out_u64(total);
    stratus_out_write(STRATUS_LIT(", \"slices\": "));
    out_u64(slices);
    stratus_out_write(STRATUS_LIT(", \"counted\": "));
    out_u64(counted);
    if (counted == slices && !pending)
        stratus_out_write(STRATUS_LIT(", \"done\": true}"));
    else
        stratus_out_write(STRATUS_LIT(", \"done\": false}"));
}
