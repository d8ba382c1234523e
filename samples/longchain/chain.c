/*
 * chain (POST /longchain/calls): ServerlessBench's long chain by direct calls ("Array Sum",
 * each function adds one). Its input is a decimal v (an empty input counts as 0); with
 * w = v + 1, it `call`s itself with w while w < CHAIN_LENGTH and answers the callee's output
 * unchanged, else it answers w. So "" or "0" answers "100" after 100 nested invocations, the
 * deepest 99 calls below the first (the manifest raises `call_depth` to 100 for that).
 *
 * A failed call (LIMIT past the call depth, DENIED, FAILED when a callee trapped) is logged
 * with its code and traps, so the error is seen at every level up to the HTTP answer (500).
 */
#include "longchain.h"

/* Copies the callee's output; it is a short number, but any length is passed on whole. */
static char chunk[1024];

/* Appends the C string s at message + *n. */
static void append(char *message, int *n, const char *s) {
    while (*s != 0)
        message[(*n)++] = *s++;
}

/* Logs "chain: call at w=W failed with code -C (NAME)" and traps. */
static void call_failed(u64 w, stratus_i32 code) {
    static const char *const names[] = {"?", "NOT_FOUND", "INVALID", "DENIED", "TOO_LARGE",
                                        "CONFLICT", "FAILED", "BAD_HANDLE", "LIMIT"};
    char message[96];
    int n = 0;
    append(message, &n, "chain: call at w=");
    n += format_u64(message + n, w);
    append(message, &n, " failed with code -");
    n += format_u64(message + n, (u64)(-(long long)code));
    append(message, &n, " (");
    append(message, &n, code >= -8 ? names[-code] : "?");
    append(message, &n, ")");
    fail(message, n);
}

__attribute__((export_name("handle")))
void handle(void) {
    u64 v;
    if (input_u64(&v) < 0)
        FAIL("chain: the input is not a decimal number");
    u64 w = v + 1;
    text_header();
    if (w >= CHAIN_LENGTH) {
        out_u64(w);
        return;
    }

    char digits[20];
    stratus_i32 h = stratus_call(STRATUS_LIT("chain"), digits, format_u64(digits, w));
    if (h < 0)
        call_failed(w, h);
    for (stratus_i32 offset = 0, n; (n = stratus_buf_read(h, offset, chunk, (stratus_i32)sizeof(chunk))) > 0; offset += n)
        stratus_out_write(chunk, n);
    stratus_buf_free(h);
}
