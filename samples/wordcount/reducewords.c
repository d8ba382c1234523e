/*
 * reducewords: the reduce of the `wordfreq` plan. Its input is the map outputs in part order,
 * framed as kv_scan frames pairs: [u32 LE key length][key][u32 LE value length][value] per
 * part, the key being the part's index and the value mapwords' `word<TAB>count\n` lines. It
 * sums the counts of each word over all parts and answers one `word<TAB>count\n` line per
 * distinct word, sorted by word in byte order, as text/plain, and nothing else.
 *
 * An input larger than the 32 MiB buffer, more than 524288 distinct words, or a frame or line
 * that is not what mapwords writes traps with a message: a wrong count is never answered.
 */
#include "wordtable.h"

#define INPUT_MAX (32u << 20)
#define MAX_WORDS (1u << 19)
#define SLOTS (MAX_WORDS * 2)

static unsigned char input[INPUT_MAX];
/* The hash slots while counting; then, no longer needed, the sort's index array (MAX_WORDS
 * fit), which saves 2 MiB of memory. */
static u32 slots[SLOTS];
static word_entry words[MAX_WORDS];

static u32 le_u32(const unsigned char *p) {
    return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* Adds the `word<TAB>count\n` lines of input[pos, end) (the last newline may be missing). */
static void add_lines(word_table *t, u32 pos, u32 end) {
    while (pos < end) {
        u32 start = pos;
        while (pos < end && !is_space(input[pos]))
            pos++;
        if (pos == start || pos == end || input[pos] != '\t')
            FAIL("reducewords: a map output line is not word<TAB>count");
        u32 word_len = pos - start;
        pos++;
        u64 count = 0;
        u32 digits = 0;
        for (; pos < end && input[pos] != '\n'; pos++, digits++) {
            if (input[pos] < '0' || input[pos] > '9' || digits == 19)
                FAIL("reducewords: a map output count is not a decimal number");
            count = count * 10 + (u64)(input[pos] - '0');
        }
        if (digits == 0)
            FAIL("reducewords: a map output line has no count");
        pos++;  /* the newline */
        table_add(t, start, word_len, count);
    }
}

/* Whether word a sorts before word b: byte order, a prefix before the longer word. Equal
 * prefixes mean the first min(8, lengths) bytes are equal, so the rest starts at byte 8. */
static int word_less(const word_entry *a, const word_entry *b) {
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix;
    u32 n = a->len < b->len ? a->len : b->len;
    const unsigned char *p = input + a->offset, *q = input + b->offset;
    for (u32 k = 8; k < n; k++)
        if (p[k] != q[k])
            return p[k] < q[k];
    return a->len < b->len;
}

/* Heapsort of the word indexes in `order`: in place, no recursion, n log n at worst. */
static void sift_down(u32 *order, u32 root, u32 n) {
    for (;;) {
        u32 child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && word_less(&words[order[child]], &words[order[child + 1]]))
            child++;
        if (!word_less(&words[order[root]], &words[order[child]]))
            return;
        u32 tmp = order[root];
        order[root] = order[child];
        order[child] = tmp;
        root = child;
    }
}

static void sort_words(u32 *order, u32 n) {
    for (u32 i = n / 2; i-- > 0;)
        sift_down(order, i, n);
    for (u32 end = n; end-- > 1;) {
        u32 tmp = order[0];
        order[0] = order[end];
        order[end] = tmp;
        sift_down(order, 0, end);
    }
}

__attribute__((export_name("handle")))
void handle(void) {
    u32 len = read_input(input, INPUT_MAX, STRATUS_LIT("reducewords: the map outputs are larger than 32 MiB"));
    word_table table = {input, slots, SLOTS - 1, words, MAX_WORDS, 0,
                        STRATUS_LIT("reducewords: more than 524288 distinct words")};

    for (u32 pos = 0; pos < len;) {
        if (len - pos < 4 || len - pos - 4 < le_u32(input + pos))
            FAIL("reducewords: truncated frame (key)");
        pos += 4 + le_u32(input + pos);
        if (len - pos < 4 || len - pos - 4 < le_u32(input + pos))
            FAIL("reducewords: truncated frame (value)");
        u32 value_len = le_u32(input + pos);
        pos += 4;
        add_lines(&table, pos, pos + value_len);
        pos += value_len;
    }

    u32 *order = slots;
    for (u32 i = 0; i < table.n; i++)
        order[i] = i;
    sort_words(order, table.n);

    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("text/plain"));
    for (u32 i = 0; i < table.n; i++)
        out_word(&table, &words[order[i]]);
    out_flush();
}
