/*
 * auth: a request filter (see stratus.yaml's `filters:`). It lets a request through when its
 * `Authorization` header is `Bearer TOKEN` with the app variable `token`, telling the guarded
 * function who came in through the context value `filter.principal`; any other request is
 * answered here with 401 and a JSON error, and the guarded function never runs.
 *
 * A filter lets a request through by answering 200 with an empty body (doing nothing does
 * that); headers `Stratus-Context-NAME: VALUE` become ctx("filter.NAME") downstream.
 */
#include "stratus.h"

#define MAX_TOKEN 256

/* Reads context value `name` into out (at most cap bytes); its length, or -1 when absent or longer. */
static int read_ctx(const char *name, int name_len, char *out, int cap) {
    stratus_i32 h = stratus_ctx(name, name_len);
    if (h < 0)
        return -1;
    stratus_i32 len = stratus_buf_len(h);
    if (len > cap)
        return -1;
    stratus_buf_read(h, 0, out, cap);
    stratus_buf_free(h);
    return len;
}

/* Compares in time independent of where the bytes differ, so timing tells nothing of the token. */
static int same(const char *a, const char *b, int n) {
    unsigned char diff = 0;
    for (int i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

__attribute__((export_name("handle")))
void handle(void) {
    static const char bearer[] = "Bearer ";
    const int bearer_len = (int)sizeof(bearer) - 1;
    char token[MAX_TOKEN], header[MAX_TOKEN + 8];
    int token_len = read_ctx(STRATUS_LIT("var.token"), token, MAX_TOKEN);
    int header_len = read_ctx(STRATUS_LIT("header.authorization"), header, (int)sizeof(header));
    if (token_len > 0 && header_len == bearer_len + token_len && same(header, bearer, bearer_len)
        && same(header + bearer_len, token, token_len)) {
        stratus_out_header(STRATUS_LIT("Stratus-Context-Principal"), STRATUS_LIT("token-holder"));
        return;
    }
    stratus_out_status(401);
    stratus_out_header(STRATUS_LIT("WWW-Authenticate"), STRATUS_LIT("Bearer"));
    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("application/json"));
    static const char body[] =
        "{\"error\": {\"code\": \"unauthorized\", \"message\": \"send Authorization: Bearer TOKEN with the app's token\"}}";
    stratus_out_write(body, (stratus_i32)sizeof(body) - 1);
}
