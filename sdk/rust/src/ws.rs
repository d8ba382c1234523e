//! WebSockets (ABI.md): any function of the app may write to a live connection, named by the
//! `ctx("connection")` of a WebSocket invocation. A server without WebSocket support refuses a
//! module that imports these at deploy; a guest that never calls them does not import them.

use crate::{check, len, sys, Result};

/// Sends `data` as a message on `connection`; NOT_FOUND if it is gone.
pub fn send(connection: &str, data: impl AsRef<[u8]>) -> Result<()> {
    let data = data.as_ref();
    // SAFETY: the host reads both slices within their bounds.
    check(unsafe { sys::ws_send(connection.as_ptr(), len(connection.as_bytes())?, data.as_ptr(), len(data)?) })
        .map(drop)
}

/// Closes `connection`; NOT_FOUND if it is gone.
pub fn close(connection: &str) -> Result<()> {
    // SAFETY: the host reads `connection` within its bounds.
    check(unsafe { sys::ws_close(connection.as_ptr(), len(connection.as_bytes())?) }).map(drop)
}
