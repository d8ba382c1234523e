/*
 * greet: "<var.greeting>, <input>!" with the header X-Greeter: sdkc; an empty input answers
 * 400 "no name". It has no route: `caller` reaches it with st_call.
 */
#include "sdkc.h"

ST_EXPORT("handle") void handle(void) {
    st_bytes greeting, name;
    st_ctx("var.greeting", &greeting);
    st_input(&name);
    st_header("X-Greeter", "sdkc");
    if (name.len == 0) {
        st_status(400);
        st_write_str("no name");
    } else {
        st_write_str(greeting.data != NULL ? greeting.data : "Hello");
        st_write_str(", ");
        st_write(name.data, name.len);
        st_write_str("!");
    }
    st_bytes_free(&name);
    st_bytes_free(&greeting);
}
