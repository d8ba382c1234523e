/*
 * envargs.h: options from an environment variable, as GZIP, LESS and (once) GREP_OPTIONS
 * work. env_args(name, &argc, argv) returns a new argument vector: argv[0], the words of
 * $name (split at blanks, no quoting), then argv[1..]. Plain C, usable from C++ too.
 */
#ifndef ENVARGS_H
#define ENVARGS_H

#include <stdlib.h>
#include <string.h>

static int env_is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

static char **env_args(const char *name, int *argc, char **argv) {
    const char *value = getenv(name);
    size_t len = value ? strlen(value) : 0;
    char *copy = (char *)malloc(len + 1);
    char **out = (char **)malloc(sizeof(char *) * ((size_t)*argc + len / 2 + 2));
    if (copy == NULL || out == NULL)
        return argv;
    memcpy(copy, value ? value : "", len + 1);

    int n = 0;
    out[n++] = *argc > 0 ? argv[0] : (char *)"";
    for (char *p = copy; *p != '\0';) {
        while (env_is_blank(*p))
            *p++ = '\0';
        if (*p == '\0')
            break;
        out[n++] = p;
        while (*p != '\0' && !env_is_blank(*p))
            p++;
    }
    for (int i = 1; i < *argc; i++)
        out[n++] = argv[i];
    out[n] = NULL;
    *argc = n;
    return out;
}

#endif
