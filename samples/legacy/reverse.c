/*
 * reverse: a guest written for the my-own-cluster platform, run by Stratus through its
 * compatibility module. It answers with the request body, bytes reversed, as text/plain.
 * It imports only from `my-own-cluster` (all arguments and results i32).
 */
#include <stdlib.h>

#define MOC_IMPORT(name) __attribute__((import_module("my-own-cluster"), import_name(name)))

MOC_IMPORT("get_input_buffer_id")  int get_input_buffer_id(void);
MOC_IMPORT("get_output_buffer_id") int get_output_buffer_id(void);
MOC_IMPORT("get_buffer_size")      int get_buffer_size(int id);
MOC_IMPORT("get_buffer")           int get_buffer(int id, void *ptr, int len);
MOC_IMPORT("write_buffer")         int write_buffer(int id, const void *ptr, int len);
MOC_IMPORT("write_buffer_header")  int write_buffer_header(int id, const char *name, int name_len,
                                                           const char *value, int value_len);
MOC_IMPORT("print_debug")          int print_debug(const char *ptr, int len);

#define LIT(s) (s), (int)(sizeof(s) - 1)

/* Writes the decimal digits of n just before `end`; returns where they start. */
static char *format_uint(unsigned n, char *end) {
    do {
        *--end = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    return end;
}

__attribute__((export_name("handle")))
void handle(void) {
    int in = get_input_buffer_id();
    int out = get_output_buffer_id();
    int size = get_buffer_size(in);
    if (size < 0)
        size = 0;

    char *data = NULL;
    int n = 0;
    if (size > 0) {
        data = malloc((size_t)size);
        if (!data)
            __builtin_trap();
        n = get_buffer(in, data, size);
        if (n < 0)
            n = 0;
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            char t = data[i];
            data[i] = data[j];
            data[j] = t;
        }
    }

    char line[48] = "legacy: reversing ";
    char digits[16];
    char *d = format_uint((unsigned)n, digits + sizeof(digits));
    int len = (int)sizeof("legacy: reversing ") - 1;
    while (d < digits + sizeof(digits))
        line[len++] = *d++;
    const char *tail = " bytes";
    while (*tail)
        line[len++] = *tail++;
    print_debug(line, len);

    write_buffer_header(out, LIT("Content-Type"), LIT("text/plain"));
    if (n > 0)
        write_buffer(out, data, n);
    free(data);
}
