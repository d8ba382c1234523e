/*
 * sdkc.h - helpers shared by the functions of the sdkc sample, on top of the C SDK
 * (sdk/c/stratus_sdk.h).
 */
#ifndef SDKC_H
#define SDKC_H

#include "stratus_sdk.h"

/* The HTTP status that fits an error code of the ABI. */
static inline int http_status(int code) {
    switch (code) {
    case STRATUS_NOT_FOUND: return 404;
    case STRATUS_INVALID: return 400;
    case STRATUS_DENIED: return 403;
    case STRATUS_TOO_LARGE: return 413;
    case STRATUS_CONFLICT: return 409;
    case STRATUS_FAILED: return 502; /* a callee or a remote server failed */
    case STRATUS_LIMIT: return 429;
    default: return 500;
    }
}

/* Answers an error code: its HTTP status and the body "error: NAME\n". */
static inline void fail(int code) {
    st_status(http_status(code));
    st_write_str("error: ");
    st_write_str(st_strerror(code));
    st_write_str("\n");
}

/* a followed by b, as a new C string; NULL when out of memory. */
static inline char *concat(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    char *s = (char *)malloc(na + nb + 1);
    if (s != NULL) {
        memcpy(s, a, na);
        memcpy(s + na, b, nb + 1);
    }
    return s;
}

/* Whether s starts with prefix. */
static inline int starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Drops trailing spaces, tabs and line ends (curl and shells like to add a newline). */
static inline void trim_end(st_bytes *b) {
    while (b->len > 0) {
        char c = b->data[b->len - 1];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
        b->data[--b->len] = '\0';
    }
}

#endif
