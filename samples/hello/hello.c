/*
 * hello: a freestanding native-ABI guest (no libc, no WASI).
 *
 *   GET  /hello/:name  ->  "Hello, NAME!"   ("Hello, world!" without a name)
 *   POST /hello        ->  "Hello, " followed by the request body
 *
 * Both answer with the headers `X-Hello: stratus` and
 * `Content-Type: text/plain; charset=utf-8`.
 */
#include "stratus.h"

/* Scratch space for copying host buffers to the response, a chunk at a time. */
static char chunk[1024];

/* Appends the whole of buffer `h` to the response body. */
static void write_buffer(stratus_i32 h) {
    stratus_i32 offset = 0;
    for (;;) {
        stratus_i32 n = stratus_buf_read(h, offset, chunk, (stratus_i32)sizeof(chunk));
        if (n <= 0)
            break;
        stratus_out_write(chunk, n);
        offset += n;
    }
}

/* Whether the request method is POST. */
static int is_post(void) {
    stratus_i32 h = stratus_ctx(STRATUS_LIT("method"));
    if (h < 0)
        return 0;
    char m[8];
    stratus_i32 n = stratus_buf_read(h, 0, m, (stratus_i32)sizeof(m));
    return n == 4 && m[0] == 'P' && m[1] == 'O' && m[2] == 'S' && m[3] == 'T';
}

__attribute__((export_name("handle")))
void handle(void) {
    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("text/plain; charset=utf-8"));
    stratus_out_header(STRATUS_LIT("X-Hello"), STRATUS_LIT("stratus"));

    stratus_i32 name = stratus_ctx(STRATUS_LIT("param.name"));
    if (name >= 0 && stratus_buf_len(name) > 0) {
        stratus_out_write(STRATUS_LIT("Hello, "));
        write_buffer(name);
        stratus_out_write(STRATUS_LIT("!"));
        return;
    }

    /* POST /hello (or a direct call with an input): echo the body after "Hello, ". */
    stratus_i32 body = stratus_input();
    if (is_post() || (body >= 0 && stratus_buf_len(body) > 0)) {
        stratus_out_write(STRATUS_LIT("Hello, "));
        if (body >= 0)
            write_buffer(body);
        return;
    }

    stratus_out_write(STRATUS_LIT("Hello, world!"));
}
