/*
 * record: spawned by `caller` (trigger "async"), it stores "<trigger>:<input>" at
 * spawned/last; over HTTP (GET /sdkc/spawned) it answers what it stored last.
 */
#include "sdkc.h"

/* Stores "<trigger>:<input>" at spawned/last. */
static int store(const char *trigger) {
    st_bytes input;
    int rc = st_input(&input);
    if (rc != STRATUS_OK)
        return rc;
    size_t n = strlen(trigger), len = n + 1 + input.len;
    char *value = (char *)malloc(len);
    if (value == NULL) {
        rc = STRATUS_TOO_LARGE;
    } else {
        memcpy(value, trigger, n);
        value[n] = ':';
        memcpy(value + n + 1, input.data, input.len);
        rc = st_kv_set("spawned/last", value, len);
    }
    free(value);
    st_bytes_free(&input);
    return rc;
}

/* Answers the value of spawned/last and a newline. */
static int report(void) {
    st_bytes value;
    int rc = st_kv_get("spawned/last", &value);
    if (rc == STRATUS_OK) {
        st_write(value.data, value.len);
        st_write_str("\n");
    }
    st_bytes_free(&value);
    return rc;
}

ST_EXPORT("handle") void handle(void) {
    st_bytes trigger;
    int rc = st_ctx("trigger", &trigger);
    int http = rc == STRATUS_OK && strcmp(trigger.data, "http") == 0;
    if (rc == STRATUS_OK)
        rc = http ? report() : store(trigger.data);
    st_bytes_free(&trigger);
    if (rc == STRATUS_OK)
        return;
    if (http) {
        fail(rc);
        return;
    }
    /* Only a trap fails an asynchronous invocation, so that it is tried again. */
    st_log(STRATUS_LOG_ERROR, st_strerror(rc));
    __builtin_trap();
}
