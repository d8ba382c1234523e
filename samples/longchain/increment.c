/*
 * increment: one step of the `chain-sequence` sequence. Its input is a decimal number (an
 * empty input counts as 0); it answers that number plus one, in decimal, as text/plain. The
 * sequence runs it 100 times, each step's output being the next step's input, so an empty
 * body comes out as "100".
 *
 * An input that is no number traps, so the sequence fails visibly instead of restarting at 0.
 */
#include "longchain.h"

__attribute__((export_name("handle")))
void handle(void) {
    u64 value;
    if (input_u64(&value) < 0)
        FAIL("increment: the input is not a decimal number");
    text_header();
    out_u64(value + 1);
}
