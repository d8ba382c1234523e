/*
 * start (POST /longchain): starts a chain. Clears the previous run's chain/end_ns, writes
 * chain/start_ns = now in nanoseconds, then chain/count = 1, which starts the first `step`.
 * Answers {"started": true} as application/json.
 */
#include "longchain.h"

__attribute__((export_name("handle")))
void handle(void) {
    stratus_i32 r = stratus_kv_delete(STRATUS_LIT(END_KEY));
    if (r < 0 && r != STRATUS_NOT_FOUND)
        FAIL("kv_delete chain/end_ns failed");
    char digits[20];
    if (stratus_kv_set(STRATUS_LIT(START_KEY), digits, format_u64(digits, (u64)stratus_now_ns())) < 0)
        FAIL("kv_set chain/start_ns failed");
    if (stratus_kv_set(STRATUS_LIT(COUNT_KEY), STRATUS_LIT("1")) < 0)
        FAIL("kv_set chain/count failed");
    json_header();
    stratus_out_write(STRATUS_LIT("{\"started\": true}"));
}
