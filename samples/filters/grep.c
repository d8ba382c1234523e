/*
 * grep: writes the lines of standard input that match a pattern (a last line without a
 * newline gets one). Exits 0 when a line was selected, 1 when none was, 2 on an error.
 *
 *   grep [-EFivcn] [PATTERN]   options also come from $GREP_OPTS; without the operand
 *                              the pattern is $GREP_PATTERN
 *     -E  extended regular expression (default: basic)
 *     -F  fixed string
 *     -i  ignore case (ASCII)
 *     -v  select the lines that do not match
 *     -c  print only the number of selected lines
 *     -n  prefix each line with its number and ':'
 *
 * Regular expressions are POSIX <regex.h>, which wasi-libc has (musl's). Build with
 * -DNO_REGEX where it is missing: every pattern is then a fixed string.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#ifndef NO_REGEX
#include <regex.h>
#endif

#include "envargs.h"

static int ignore_case;

/* Whether the fixed string pat (plen bytes) occurs in line (len bytes). */
static int contains(const char *line, size_t len, const char *pat, size_t plen) {
    for (size_t i = 0; i + plen <= len; i++) {
        size_t j = 0;
        while (j < plen && (ignore_case
                                ? tolower((unsigned char)line[i + j]) == tolower((unsigned char)pat[j])
                                : line[i + j] == pat[j]))
            j++;
        if (j == plen)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    int extended = 0, fixed = 0, invert = 0, count_only = 0, numbers = 0;
    argv = env_args("GREP_OPTS", &argc, argv);
    int opt;
    while ((opt = getopt(argc, argv, "EFivcn")) != -1) {
        switch (opt) {
        case 'E': extended = 1; break;
        case 'F': fixed = 1; break;
        case 'i': ignore_case = 1; break;
        case 'v': invert = 1; break;
        case 'c': count_only = 1; break;
        case 'n': numbers = 1; break;
        default:
            fprintf(stderr, "usage: grep [-EFivcn] PATTERN (or $GREP_PATTERN)\n");
            return 2;
        }
    }
    const char *pattern = optind < argc ? argv[optind] : getenv("GREP_PATTERN");
    if (pattern == NULL) {
        fprintf(stderr, "grep: no pattern (give one, or set GREP_PATTERN)\n");
        return 2;
    }
    size_t plen = strlen(pattern);

#ifdef NO_REGEX
    (void)extended;
    (void)fixed;
#else
    regex_t re;
    if (!fixed) {
        int flags = REG_NOSUB | (extended ? REG_EXTENDED : 0) | (ignore_case ? REG_ICASE : 0);
        int err = regcomp(&re, pattern, flags);
        if (err != 0) {
            char msg[256];
            regerror(err, &re, msg, sizeof msg);
            fprintf(stderr, "grep: %s: %s\n", pattern, msg);
            return 2;
        }
    }
#endif

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long number = 0, selected = 0;
    while ((len = getline(&line, &cap, stdin)) != -1) {
        number++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        int match;
#ifdef NO_REGEX
        match = contains(line, (size_t)len, pattern, plen);
#else
        match = fixed ? contains(line, (size_t)len, pattern, plen) : regexec(&re, line, 0, NULL, 0) == 0;
#endif
        if (match == invert)
            continue;
        selected++;
        if (count_only)
            continue;
        if (numbers)
            printf("%ld:", number);
        fwrite(line, 1, (size_t)len, stdout);
        putchar('\n');
    }
    if (ferror(stdin)) {
        perror("grep: standard input");
        return 2;
    }
    if (count_only)
        printf("%ld\n", selected);
    if (fflush(stdout) != 0)
        return 2;
    return selected > 0 ? 0 : 1;
}
