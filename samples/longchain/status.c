/*
 * status (GET /longchain): {"count": C, "done": true|false, "elapsed_ms": E} as
 * application/json. C is chain/count (0 before any chain); done is whether the last step has
 * written chain/end_ns; E is end_ns - start_ns in milliseconds (three decimals) when done,
 * else the time since start_ns so far (0 before any chain).
 */
#include "longchain.h"

__attribute__((export_name("handle")))
void handle(void) {
    u64 count = 0, start = 0, end = 0;
    get_u64(STRATUS_LIT(COUNT_KEY), &count);
    int started = get_u64(STRATUS_LIT(START_KEY), &start);
    int done = get_u64(STRATUS_LIT(END_KEY), &end) && count >= CHAIN_LENGTH;
    if (!done)
        end = (u64)stratus_now_ns();
    u64 elapsed = started && end > start ? end - start : 0;

    json_header();
    stratus_out_write(STRATUS_LIT("{\"count\": "));
    out_u64(count);
    if (done)
        stratus_out_write(STRATUS_LIT(", \"done\": true"));
    else
        stratus_out_write(STRATUS_LIT(", \"done\": false"));
    stratus_out_write(STRATUS_LIT(", \"elapsed_ms\": "));
    out_u64(elapsed / 1000000);
    char fraction[4] = {'.', 0, 0, 0};
    u64 micros = elapsed % 1000000 / 1000;
    fraction[1] = (char)('0' + micros / 100);
    fraction[2] = (char)('0' + micros / 10 % 10);
    fraction[3] = (char)('0' + micros % 10);
    stratus_out_write(fraction, 4);
    stratus_out_write(STRATUS_LIT("}"));
}
