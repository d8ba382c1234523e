/*
 * mapwords: the map of the `wordfreq` plan. Its input is one part of a text; it counts each
 * distinct word and answers one `word<TAB>count\n` line per distinct word, in order of first
 * appearance, as text/plain. A word is a maximal run of bytes that are not is_space
 * (wordcount.h: space, \t, \n, \v, \f, \r); bytes are compared as they are (case-sensitive,
 * no other normalisation). A word never holds a tab or newline, so the lines parse back
 * unambiguously.
 *
 * The plan cuts parts at line ends, so no word is split across two parts. A part larger than
 * the 16 MiB input buffer, or with more than 131072 distinct words, traps with a message
 * (the plan's parts are 256 KiB, which cannot hold that many).
 */
#include "wordtable.h"

#define INPUT_MAX (16u << 20)
#define MAX_WORDS (1u << 17)
#define SLOTS (MAX_WORDS * 2)

static unsigned char input[INPUT_MAX];
static u32 slots[SLOTS];
static word_entry words[MAX_WORDS];

__attribute__((export_name("handle")))
void handle(void) {
    u32 len = read_input(input, INPUT_MAX, STRATUS_LIT("mapwords: the part is larger than 16 MiB"));
    word_table table = {input, slots, SLOTS - 1, words, MAX_WORDS, 0,
                        STRATUS_LIT("mapwords: more than 131072 distinct words in one part")};

    u32 i = 0;
    for (;;) {
        while (i < len && is_space(input[i]))
            i++;
        if (i == len)
            break;
        u32 start = i;
        while (i < len && !is_space(input[i]))
            i++;
        table_add(&table, start, i - start, 1);
    }

    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("text/plain"));
    for (u32 w = 0; w < table.n; w++)
        out_word(&table, &words[w]);
    out_flush();
}
