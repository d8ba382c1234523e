//! The raw imports of the `stratus` wasm module (ABI.md), exactly as the host declares them.
//! Only this crate calls them; user code goes through the safe wrappers in `lib.rs`.

/// Declares the imports on wasm32. On other targets (`cargo test` and `cargo check` on the
/// build machine) there is no platform, so each one is a stub that answers FAILED: the pure
/// parts of the SDK stay testable there.
macro_rules! imports {
    ($(fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        #[cfg(target_arch = "wasm32")]
        #[link(wasm_import_module = "stratus")]
        extern "C" {
            $(pub fn $name($($arg: $ty),*) -> $ret;)*
        }

        $(
            #[cfg(not(target_arch = "wasm32"))]
            #[allow(unused_variables, clippy::missing_safety_doc)]
            pub unsafe fn $name($($arg: $ty),*) -> $ret {
                crate::Error::Failed.code() as $ret
            }
        )*
    };
}

imports! {
    // Buffers
    fn buf_len(handle: i32) -> i32;
    fn buf_read(handle: i32, offset: i32, ptr: *mut u8, cap: i32) -> i32;
    fn buf_free(handle: i32) -> i32;
    fn buf_meta(handle: i32, name_ptr: *const u8, name_len: i32) -> i32;
    // Input, output and context
    fn input() -> i32;
    fn ctx(name_ptr: *const u8, name_len: i32) -> i32;
    fn out_write(ptr: *const u8, len: i32) -> i32;
    fn out_status(code: i32) -> i32;
    fn out_header(name_ptr: *const u8, name_len: i32, value_ptr: *const u8, value_len: i32) -> i32;
    fn log(level: i32, ptr: *const u8, len: i32) -> i32;
    fn now_ns() -> i64;
    // Key-value store
    fn kv_get(key_ptr: *const u8, key_len: i32) -> i32;
    fn kv_set(key_ptr: *const u8, key_len: i32, val_ptr: *const u8, val_len: i32) -> i32;
    fn kv_delete(key_ptr: *const u8, key_len: i32) -> i32;
    fn kv_cas(key_ptr: *const u8, key_len: i32, exp_ptr: *const u8, exp_len: i32,
              val_ptr: *const u8, val_len: i32) -> i32;
    fn kv_incr(key_ptr: *const u8, key_len: i32, delta: i64, out_ptr: *mut i64) -> i32;
    fn kv_scan(prefix_ptr: *const u8, prefix_len: i32, limit: i32) -> i32;
    // Calls
    fn call(name_ptr: *const u8, name_len: i32, in_ptr: *const u8, in_len: i32) -> i32;
    fn spawn(name_ptr: *const u8, name_len: i32, in_ptr: *const u8, in_len: i32) -> i32;
    // Outbound HTTP
    fn http_fetch(method_ptr: *const u8, method_len: i32, url_ptr: *const u8, url_len: i32,
                  body_ptr: *const u8, body_len: i32) -> i32;
    // WebSockets
    fn ws_send(conn_ptr: *const u8, conn_len: i32, data_ptr: *const u8, data_len: i32) -> i32;
    fn ws_close(conn_ptr: *const u8, conn_len: i32) -> i32;
}
