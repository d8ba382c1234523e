/*
 * wc: counts the lines, words and bytes of standard input and prints them as wc does for
 * a pipe: "%7d %7d %7d" (a single count alone, unpadded).
 *
 *   wc [-lwc]      options also come from $WC_OPTS
 *
 * A word is a run of bytes that are not white space (isspace in the C locale); a line is a
 * newline, so a last line without one is not counted.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

#include "envargs.h"

int main(int argc, char **argv) {
    int show_lines = 0, show_words = 0, show_bytes = 0;
    argv = env_args("WC_OPTS", &argc, argv);
    int opt;
    while ((opt = getopt(argc, argv, "lwc")) != -1) {
        switch (opt) {
        case 'l': show_lines = 1; break;
        case 'w': show_words = 1; break;
        case 'c': show_bytes = 1; break;
        default:
            fprintf(stderr, "usage: wc [-lwc]\n");
            return 2;
        }
    }
    if (!show_lines && !show_words && !show_bytes)
        show_lines = show_words = show_bytes = 1;

    long lines = 0, words = 0, bytes = 0;
    int in_word = 0;
    unsigned char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        bytes += (long)n;
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '\n')
                lines++;
            if (isspace(buf[i])) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                words++;
            }
        }
    }
    if (ferror(stdin)) {
        perror("wc: standard input");
        return 1;
    }

    long counts[3] = {lines, words, bytes};
    int shown[3] = {show_lines, show_words, show_bytes};
    int width = show_lines + show_words + show_bytes == 1 ? 1 : 7;
    const char *sep = "";
    for (int i = 0; i < 3; i++) {
        if (shown[i]) {
            printf("%s%*ld", sep, width, counts[i]);
            sep = " ";
        }
    }
    printf("\n");
    return 0;
}
