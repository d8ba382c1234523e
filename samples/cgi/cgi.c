/*
 * cgi: a WASI command run CGI style. It prints CGI header lines, a blank line, then
 * the request's method, path and query from the environment, and then the request
 * body, read through the virtual file api://input.
 */
#include <stdio.h>
#include <stdlib.h>

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v ? v : "";
}

int main(void) {
    printf("Content-Type: text/plain\n\n");
    printf("method=%s path=%s query=%s\n", env("REQUEST_METHOD"), env("PATH_INFO"), env("QUERY_STRING"));

    FILE *in = fopen("api://input", "rb");
    if (!in) {
        perror("cgi: api://input");
        return 0;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(in);
    fflush(stdout);
    return 0;
}
