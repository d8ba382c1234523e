/*
 * step (KV trigger on chain/count): one link of the chain. Its input is the count just
 * written. Below CHAIN_LENGTH it writes count + 1, which starts the next step; at
 * CHAIN_LENGTH it writes chain/end_ns = now in nanoseconds.
 *
 * Delivery is at least once, so both writes are compare-and-swaps: count + 1 only over the
 * count this event saw, and end_ns only where there is none yet. A CONFLICT means another
 * delivery (or a new chain's `start`) got there first: nothing to do.
 */
#include "longchain.h"

__attribute__((export_name("handle")))
void handle(void) {
    char seen[24];
    stratus_i32 input = stratus_input();
    stratus_i32 seen_len = input < 0 ? 0 : stratus_buf_read(input, 0, seen, (stratus_i32)sizeof(seen));
    u64 count;
    if (parse_u64(seen, seen_len, &count) < 0) {
        stratus_log(STRATUS_LOG_WARN, STRATUS_LIT("chain/count is not a number; the chain stops"));
        return;
    }
    char digits[20];
    stratus_i32 r;
    if (count < CHAIN_LENGTH) {
        r = stratus_kv_cas(STRATUS_LIT(COUNT_KEY), seen, seen_len, digits, format_u64(digits, count + 1));
    } else {
        /* A late duplicate of the last step of an earlier chain must not end a newer one. */
        u64 current;
        if (!get_u64(STRATUS_LIT(COUNT_KEY), &current) || current != count)
            return;
        r = stratus_kv_cas(STRATUS_LIT(END_KEY), 0, -1, digits, format_u64(digits, (u64)stratus_now_ns()));
    }
    if (r < 0 && r != STRATUS_CONFLICT)
        FAIL("kv_cas failed");
}
