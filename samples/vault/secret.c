/*
 * secret (GET /vault/secret, guarded by the `auth` filter): answers who the filter let in,
 * from ctx("filter.principal"), which only a filter can set.
 */
#include "stratus.h"

__attribute__((export_name("handle")))
void handle(void) {
    char who[64];
    stratus_i32 h = stratus_ctx(STRATUS_LIT("filter.principal"));
    stratus_i32 n = h < 0 ? 0 : stratus_buf_read(h, 0, who, (stratus_i32)sizeof(who));
    stratus_out_header(STRATUS_LIT("Content-Type"), STRATUS_LIT("text/plain; charset=utf-8"));
    stratus_out_write(STRATUS_LIT("the vault opens for "));
    if (n > 0)
        stratus_out_write(who, n);
    else
        stratus_out_write(STRATUS_LIT("nobody"));
}
