/*
 * kv: every KV call of the C SDK over HTTP, on the keys "demo/<key>" (the routes and their
 * exact answers are in stratus.yaml). Each operation answers on success and returns
 * STRATUS_OK, or returns the error code that handle() then answers.
 */
#include "sdkc.h"

typedef int (*operation_fn)(const char *key, st_bytes *body);

/* GET /sdkc/kv/:key: the value as it is stored. */
static int get(const char *key, st_bytes *body) {
    (void)body;
    st_bytes value;
    int rc = st_kv_get(key, &value);
    if (rc == STRATUS_OK) {
        st_header("Content-Type", "application/octet-stream");
        st_write(value.data, value.len);
    }
    st_bytes_free(&value);
    return rc;
}

/* PUT /sdkc/kv/:key: stores the body. */
static int put(const char *key, st_bytes *body) {
    int rc = st_kv_set(key, body->data, body->len);
    if (rc == STRATUS_OK) {
        st_write_str("stored ");
        st_write_str(key);
        st_write_str("\n");
    }
    return rc;
}

/* DELETE /sdkc/kv/:key. */
static int del(const char *key, st_bytes *body) {
    (void)body;
    int rc = st_kv_delete(key);
    if (rc == STRATUS_OK) {
        st_write_str("deleted ");
        st_write_str(key);
        st_write_str("\n");
    }
    return rc;
}

/* POST /sdkc/incr/:key: adds the body (a decimal delta, 1 when empty); answers the sum. */
static int incr(const char *key, st_bytes *body) {
    int64_t delta = 1, sum = 0;
    trim_end(body);
    if (body->len > 0) {
        char *end = NULL;
        delta = strtoll(body->data, &end, 10);
        if (end != body->data + body->len) /* not a whole number */
            return STRATUS_INVALID;
    }
    int rc = st_kv_incr(key, delta, &sum);
    if (rc == STRATUS_OK) {
        st_write_i64(sum);
        st_write_str("\n");
    }
    return rc;
}

/* POST /sdkc/cas/:key: the body is "EXPECTED\nNEW"; stores NEW only if the value is EXPECTED. */
static int cas(const char *key, st_bytes *body) {
    const char *newline = (const char *)memchr(body->data, '\n', body->len);
    if (newline == NULL)
        return STRATUS_INVALID;
    size_t exp_len = (size_t)(newline - body->data);
    int rc = st_kv_cas(key, body->data, exp_len, newline + 1, body->len - exp_len - 1);
    if (rc == STRATUS_OK)
        st_write_str("swapped\n");
    return rc;
}

/* POST /sdkc/create/:key: stores the body only if the key is absent. */
static int create(const char *key, st_bytes *body) {
    int rc = st_kv_cas_absent(key, body->data, body->len);
    if (rc == STRATUS_OK)
        st_write_str("created\n");
    return rc;
}

/* GET /sdkc/scan[/:prefix]: one "key=value" line a pair, in key order. */
static int scan(const char *prefix, st_bytes *body) {
    (void)body;
    st_pairs pairs;
    int rc = st_kv_scan(prefix, 100, &pairs);
    for (size_t i = 0; i < pairs.count; i++) {
        st_write(pairs.items[i].key.data, pairs.items[i].key.len);
        st_write_str("=");
        st_write(pairs.items[i].value.data, pairs.items[i].value.len);
        st_write_str("\n");
    }
    st_pairs_free(&pairs);
    return rc;
}

/* Picks the operation from the path, then the method. */
static operation_fn operation(const char *method, const char *path) {
    if (starts_with(path, "/sdkc/scan"))
        return scan;
    if (starts_with(path, "/sdkc/incr/"))
        return incr;
    if (starts_with(path, "/sdkc/cas/"))
        return cas;
    if (starts_with(path, "/sdkc/create/"))
        return create;
    if (strcmp(method, "PUT") == 0)
        return put;
    if (strcmp(method, "DELETE") == 0)
        return del;
    return get;
}

ST_EXPORT("handle") void handle(void) {
    st_bytes method, path, param, body;
    st_ctx("method", &method);
    st_ctx("path", &path);
    st_input(&body);
    /* The key, or the scan prefix, is "demo/" followed by the route's :key or :prefix. */
    if (st_ctx("param.key", &param) != STRATUS_OK)
        st_ctx("param.prefix", &param);
    char *key = concat("demo/", param.data != NULL ? param.data : "");
    int rc = STRATUS_FAILED; /* out of memory, or a context value every route has is missing */
    if (method.data != NULL && path.data != NULL && body.data != NULL && key != NULL)
        rc = operation(method.data, path.data)(key, &body);
    if (rc != STRATUS_OK)
        fail(rc);
    free(key);
    st_bytes_free(&param);
    st_bytes_free(&body);
    st_bytes_free(&path);
    st_bytes_free(&method);
}
