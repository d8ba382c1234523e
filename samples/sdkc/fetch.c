/*
 * fetch: POST /sdkc/fetch with a URL as the body GETs that URL (a host of the manifest's
 * `outbound`) and answers with the fetched status and body, and the fetched Content-Type
 * as X-Fetched-Content-Type.
 */
#include "sdkc.h"

ST_EXPORT("handle") void handle(void) {
    st_bytes url, type;
    st_response answer;
    int rc = st_input(&url);
    if (rc == STRATUS_OK) {
        trim_end(&url);
        rc = st_fetch("GET", url.data, NULL, 0, &answer);
    }
    st_bytes_free(&url);
    if (rc != STRATUS_OK) {
        fail(rc);
        return;
    }
    st_status(answer.status);
    if (st_response_header(&answer, "Content-Type", &type) == STRATUS_OK)
        st_header("X-Fetched-Content-Type", type.data);
    st_bytes_free(&type);
    st_write(answer.body.data, answer.body.len);
    st_response_free(&answer);
}
