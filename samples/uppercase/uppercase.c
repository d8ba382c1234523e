/*
 * uppercase: a WASI command. Reads all of standard input and writes it to standard
 * output with the ASCII letters uppercased (other bytes, UTF-8 included, unchanged).
 * It streams through a fixed buffer, so any input size works.
 */
#include <errno.h>
#include <unistd.h>

static unsigned char buf[64 * 1024];

static int write_all(const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(void) {
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = buf[i];
            if (c >= 'a' && c <= 'z')
                buf[i] = (unsigned char)(c - ('a' - 'A'));
        }
        if (write_all(buf, (size_t)n) != 0)
            return 1;
    }
}
