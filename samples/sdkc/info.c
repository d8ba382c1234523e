/*
 * info: GET or POST /sdkc/info answers context values, the input and a clock check, one
 * "name=value" line each, as text/plain; it logs one line.
 */
#include "sdkc.h"

/* The context values shown, in order. "param.none" is never set: it shows an error. */
static const char *const names[] = {"app", "function", "method", "path", "query", "trigger",
                                    "var.greeting", "header.x-demo", "param.none"};

/* A line "name=value", or "name=(ERROR)" when the value is not set. */
static void show(const char *name) {
    st_bytes value;
    int rc = st_ctx(name, &value);
    st_write_str(name);
    st_write_str("=");
    if (rc == STRATUS_OK) {
        st_write(value.data, value.len);
    } else {
        st_write_str("(");
        st_write_str(st_strerror(rc));
        st_write_str(")");
    }
    st_write_str("\n");
    st_bytes_free(&value);
}

ST_EXPORT("handle") void handle(void) {
    st_bytes input;
    int64_t now = st_now_ns();
    st_header("Content-Type", "text/plain; charset=utf-8");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        show(names[i]);
    st_write_str("input=");
    if (st_input(&input) == STRATUS_OK)
        st_write(input.data, input.len);
    st_bytes_free(&input);
    /* The clock is right if it is past 2020-01-01 (1577836800 s after the epoch). */
    st_write_str(now > 1577836800LL * 1000000000LL ? "\nclock=ok\n" : "\nclock=wrong\n");
    st_log(STRATUS_LOG_INFO, "info served");
}
