/*
 * caller: POST /sdkc/call calls `greet` with the body and reports its answer (status,
 * X-Greeter header, body); POST /sdkc/spawn starts `record` with the body, asynchronously.
 */
#include "sdkc.h"

/* Calls greet and answers "status=S\nx-greeter=H\nbody=B\n". */
static int call_greet(const st_bytes *body) {
    st_response answer;
    st_bytes greeter;
    int rc = st_call("greet", body->data, body->len, &answer);
    if (rc != STRATUS_OK)
        return rc;
    st_write_str("status=");
    st_write_i64(answer.status);
    st_write_str("\nx-greeter=");
    if (st_response_header(&answer, "X-Greeter", &greeter) == STRATUS_OK)
        st_write(greeter.data, greeter.len);
    st_write_str("\nbody=");
    st_write(answer.body.data, answer.body.len);
    st_write_str("\n");
    st_bytes_free(&greeter);
    st_response_free(&answer);
    return STRATUS_OK;
}

/* Spawns record and answers 202 "spawned\n" at once. */
static int spawn_record(const st_bytes *body) {
    int rc = st_spawn("record", body->data, body->len);
    if (rc == STRATUS_OK) {
        st_status(202);
        st_write_str("spawned\n");
    }
    return rc;
}

ST_EXPORT("handle") void handle(void) {
    st_bytes path, body;
    st_ctx("path", &path);
    st_input(&body);
    int rc = STRATUS_FAILED;
    if (path.data != NULL && body.data != NULL)
        rc = strcmp(path.data, "/sdkc/spawn") == 0 ? spawn_record(&body) : call_greet(&body);
    if (rc != STRATUS_OK)
        fail(rc);
    st_bytes_free(&body);
    st_bytes_free(&path);
}
