/*
 * calc (POST /calc): module binding from C. It imports `add`, `mul` and `fib` from the module
 * "mathlib", which Stratus links to the exports of the app's function `mathlib` (mathlib.wat),
 * each call running in mathlib's own instance. Its input is "A B", two non-negative decimals
 * separated by one space (a trailing newline is allowed); it answers, as text/plain:
 *   A + B = S
 *   A * B = P
 *   fib(A) = F
 * mathlib computes in i32 and i64, so calc accepts only what gives exact answers: A at most
 * 92 (the last Fibonacci number that fits in an i64) and A + B, A * B below 2^31. Any other
 * input answers 400 with a one-line message.
 */
#include "../common/guest.h"

/* The library's exports: numbers only cross a binding, no pointers into either memory. */
__attribute__((import_module("mathlib"), import_name("add"))) int mathlib_add(int a, int b);
__attribute__((import_module("mathlib"), import_name("mul"))) int mathlib_mul(int a, int b);
__attribute__((import_module("mathlib"), import_name("fib"))) long long mathlib_fib(int n);

#define INT32_LIMIT 2147483648ULL  /* 2^31 */

static void text_header(void) {
    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("text/plain"));
}

/* Writes v (from the library, so possibly negative) in decimal. */
static void out_i64(long long v) {
    char digits[21];
    int n = 0;
    if (v < 0)
        digits[n++] = '-';
    n += format_u64(digits + n, v < 0 ? 0 - (u64)v : (u64)v);
    stratus_out_write(digits, n);
}

/* Parses "A B" with an optional trailing "\n" or "\r\n"; 0, or -1 when it is anything else. */
static int parse_input(u64 *a, u64 *b) {
    char text[48];
    stratus_i32 h = stratus_input();
    stratus_i32 n = h < 0 ? 0 : stratus_buf_read(h, 0, text, (stratus_i32)sizeof(text));
    if (n == (stratus_i32)sizeof(text))
        return -1;  /* longer than any valid input */
    if (n > 0 && text[n - 1] == '\n')
        n--;
    if (n > 0 && text[n - 1] == '\r')
        n--;
    int space = 0;
    while (space < n && text[space] != ' ')
        space++;
    if (space == n)
        return -1;
    /* parse_u64 rejects an empty side, a second space and anything not a digit. */
    if (parse_u64(text, space, a) < 0 || parse_u64(text + space + 1, n - space - 1, b) < 0)
        return -1;
    return 0;
}

__attribute__((export_name("handle")))
void handle(void) {
    u64 a, b;
    text_header();
    if (parse_input(&a, &b) < 0) {
        stratus_out_status(400);
        stratus_out_write(STRATUS_LIT("calc: send \"A B\", two non-negative decimals separated by one space\n"));
        return;
    }
    /* Checked before multiplying: a <= 92 and b < 2^31, so a * b cannot overflow a u64. */
    if (a > 92 || b >= INT32_LIMIT || a + b >= INT32_LIMIT || a * b >= INT32_LIMIT) {
        stratus_out_status(400);
        stratus_out_write(STRATUS_LIT("calc: A must be at most 92, and A + B and A * B below 2^31\n"));
        return;
    }

    int x = (int)a, y = (int)b;
    out_i64(x);
    stratus_out_write(STRATUS_LIT(" + "));
    out_i64(y);
    stratus_out_write(STRATUS_LIT(" = "));
    out_i64(mathlib_add(x, y));
    stratus_out_write(STRATUS_LIT("\n"));

    out_i64(x);
    stratus_out_write(STRATUS_LIT(" * "));
    out_i64(y);
    stratus_out_write(STRATUS_LIT(" = "));
    out_i64(mathlib_mul(x, y));
    stratus_out_write(STRATUS_LIT("\nfib("));
    out_i64(x);
    stratus_out_write(STRATUS_LIT(") = "));
    out_i64(mathlib_fib(x));
    stratus_out_write(STRATUS_LIT("\n"));
}
