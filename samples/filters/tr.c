/*
 * tr: copies standard input to standard output, translating, deleting or squeezing bytes.
 *
 *   tr [-ds] [SET1 [SET2]]   options also come from $TR_OPTS; without operands the sets
 *                            are $TR_FROM and $TR_TO
 *     (no option)  translate each byte of SET1 to the byte at the same place in SET2 (the
 *                  last byte of SET2 repeats when SET1 is longer)
 *     -d           delete the bytes of SET1
 *     -s           squeeze each run of one byte of the last set given into one byte
 *
 * A set is bytes, with ranges (a-z), escapes (\n \t \r \\ \NNN octal) and the classes
 * [:lower:] [:upper:] [:digit:] [:alpha:] [:alnum:] [:space:] [:punct:] of the C locale.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "envargs.h"

#define SET_MAX 4096

struct set {
    unsigned char c[SET_MAX];
    size_t n;
};

static int add(struct set *s, int c) {
    if (s->n == SET_MAX) {
        fprintf(stderr, "tr: set too long\n");
        return -1;
    }
    s->c[s->n++] = (unsigned char)c;
    return 0;
}

/* One character of a set at *p, escapes decoded; advances *p. */
static int next_char(const char **p) {
    const unsigned char *q = (const unsigned char *)*p;
    int c = *q++;
    if (c == '\\' && *q != '\0') {
        c = *q++;
        switch (c) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'f': c = '\f'; break;
        case 'v': c = '\v'; break;
        case 'a': c = '\a'; break;
        case 'b': c = '\b'; break;
        default:
            if (c >= '0' && c <= '7') {
                c -= '0';
                for (int i = 0; i < 2 && *q >= '0' && *q <= '7'; i++)
                    c = c * 8 + (*q++ - '0');
                c &= 0xff;
            }
        }
    }
    *p = (const char *)q;
    return c;
}

static const struct {
    const char *name;
    int (*test)(int);
} classes[] = {
    {"[:lower:]", islower}, {"[:upper:]", isupper}, {"[:digit:]", isdigit},
    {"[:alpha:]", isalpha}, {"[:alnum:]", isalnum}, {"[:space:]", isspace},
    {"[:punct:]", ispunct},
};

/* Expands the text of a set into its bytes. */
static int parse_set(const char *text, struct set *s) {
    s->n = 0;
    while (*text != '\0') {
        int matched = 0;
        for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
            size_t len = strlen(classes[k].name);
            if (strncmp(text, classes[k].name, len) == 0) {
                for (int c = 0; c < 256; c++)
                    if (classes[k].test(c) && add(s, c) != 0)
                        return -1;
                text += len;
                matched = 1;
                break;
            }
        }
        if (matched)
            continue;
        int first = next_char(&text);
        if (text[0] == '-' && text[1] != '\0') {
            text++;
            int last = next_char(&text);
            if (last < first) {
                fprintf(stderr, "tr: range %c-%c is in reverse order\n", first, last);
                return -1;
            }
            for (int c = first; c <= last; c++)
                if (add(s, c) != 0)
                    return -1;
        } else if (add(s, first) != 0) {
            return -1;
        }
    }
    return 0;
}

static int usage(void) {
    fprintf(stderr, "usage: tr [-ds] SET1 [SET2] (or $TR_FROM and $TR_TO)\n");
    return 2;
}

static struct set set1, set2;

int main(int argc, char **argv) {
    int del = 0, squeeze = 0;
    argv = env_args("TR_OPTS", &argc, argv);
    int opt;
    while ((opt = getopt(argc, argv, "ds")) != -1) {
        switch (opt) {
        case 'd': del = 1; break;
        case 's': squeeze = 1; break;
        default: return usage();
        }
    }
    const char *from = optind < argc ? argv[optind] : getenv("TR_FROM");
    const char *to = optind + 1 < argc ? argv[optind + 1] : optind < argc ? NULL : getenv("TR_TO");
    if (from == NULL || argc - optind > 2)
        return usage();
    if (to != NULL && *to == '\0')
        to = NULL;  /* an empty TR_TO is no SET2 */
    int translate = !del && to != NULL;
    if ((del && !squeeze && to != NULL) || (!del && !squeeze && to == NULL))
        return usage();
    if (parse_set(from, &set1) != 0 || (to != NULL && parse_set(to, &set2) != 0))
        return 2;
    if (translate && set2.n == 0) {
        fprintf(stderr, "tr: SET2 is empty\n");
        return 2;
    }

    unsigned char map[256], deleted[256] = {0}, squeezed[256] = {0};
    for (int c = 0; c < 256; c++)
        map[c] = (unsigned char)c;
    for (size_t i = 0; i < set1.n; i++) {
        if (translate)
            map[set1.c[i]] = set2.c[i < set2.n ? i : set2.n - 1];
        if (del)
            deleted[set1.c[i]] = 1;
    }
    if (squeeze) {
        const struct set *last = to != NULL ? &set2 : &set1;
        for (size_t i = 0; i < last->n; i++)
            squeezed[last->c[i]] = 1;
    }

    unsigned char in[16384], out[16384];
    int previous = -1;  /* the last byte written, for -s */
    size_t n;
    while ((n = fread(in, 1, sizeof in, stdin)) > 0) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (deleted[in[i]])
                continue;
            unsigned char c = map[in[i]];
            if (squeezed[c] && c == previous)
                continue;
            out[m++] = c;
            previous = c;
        }
        if (fwrite(out, 1, m, stdout) != m) {
            perror("tr: standard output");
            return 1;
        }
    }
    if (ferror(stdin)) {
        perror("tr: standard input");
        return 1;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
