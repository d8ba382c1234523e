//! Safe Rust bindings to the Stratus guest ABI, version 1 (`ABI.md`).
//!
//! A guest is a `cdylib` built for `wasm32-wasi` that exports `handle` (or another entry
//! named in the manifest). Define it with [`handler!`]; every call to the platform goes
//! through the safe functions here, so user code needs no `unsafe`:
//!
//! ```ignore
//! fn hello() -> stratus::Result<()> {
//!     let name = stratus::param("name").unwrap_or_else(|_| "world".into());
//!     stratus::add_header("Content-Type", "text/plain")?;
//!     stratus::write(format!("Hello, {name}!"))
//! }
//! stratus::handler!(hello);
//! ```
//!
//! Results of the platform are `Result<T, Error>`, where [`Error`] mirrors the ABI's
//! negative codes; data comes back as owned `Vec<u8>` or `String`.

use std::fmt;

mod sys;

pub mod kv;
pub mod ws;

// ---- Errors ------------------------------------------------------------------------------

/// An error code of the ABI (a negative result of a host function).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// -1: no such key, context value or function.
    NotFound,
    /// -2: bad argument: out-of-bounds pointer, bad UTF-8, bad name.
    Invalid,
    /// -3: the app's manifest does not allow it (KV grant, outbound host, call target).
    Denied,
    /// -4: over a configured size limit.
    TooLarge,
    /// -5: compare-and-swap lost.
    Conflict,
    /// -6: the operation itself failed (callee trapped, I/O, remote HTTP error).
    Failed,
    /// -7: unknown or freed buffer handle.
    BadHandle,
    /// -8: a rate or count limit of the invocation was reached.
    Limit,
    /// A negative code this SDK does not know (a newer host).
    Other(i32),
}

/// `Result<T, stratus::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The error for a negative ABI result.
    pub fn from_code(code: i32) -> Error {
        match code {
            -1 => Error::NotFound,
            -2 => Error::Invalid,
            -3 => Error::Denied,
            -4 => Error::TooLarge,
            -5 => Error::Conflict,
            -6 => Error::Failed,
            -7 => Error::BadHandle,
            -8 => Error::Limit,
            other => Error::Other(other),
        }
    }

    /// The ABI's code: -1 to -8.
    pub fn code(self) -> i32 {
        match self {
            Error::NotFound => -1,
            Error::Invalid => -2,
            Error::Denied => -3,
            Error::TooLarge => -4,
            Error::Conflict => -5,
            Error::Failed => -6,
            Error::BadHandle => -7,
            Error::Limit => -8,
            Error::Other(code) => code,
        }
    }

    /// The ABI's name: `NOT_FOUND`, `INVALID`, ...
    pub fn name(self) -> &'static str {
        match self {
            Error::NotFound => "NOT_FOUND",
            Error::Invalid => "INVALID",
            Error::Denied => "DENIED",
            Error::TooLarge => "TOO_LARGE",
            Error::Conflict => "CONFLICT",
            Error::Failed => "FAILED",
            Error::BadHandle => "BAD_HANDLE",
            Error::Limit => "LIMIT",
            Error::Other(_) => "UNKNOWN",
        }
    }

    /// The HTTP status a handler answers when it returns this error (see [`run`]).
    pub fn http_status(self) -> u16 {
        match self {
            Error::NotFound => 404,
            Error::Invalid => 400,
            Error::Denied => 403,
            Error::TooLarge => 413,
            Error::Conflict => 409,
            Error::Failed => 502,
            Error::Limit => 429,
            Error::BadHandle | Error::Other(_) => 500,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Other(code) => write!(f, "error code {code}"),
            known => f.write_str(known.name()),
        }
    }
}

impl std::error::Error for Error {}

/// Turns `Err(NotFound)` into `Ok(None)`, for lookups where absence is normal:
/// `let hits = stratus::kv::get("hits").found()?;`
pub trait Found<T> {
    fn found(self) -> Result<Option<T>>;
}

impl<T> Found<T> for Result<T> {
    fn found(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::NotFound) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// A host result: a negative value is an error, anything else is returned.
fn check(code: i32) -> Result<i32> {
    if code < 0 {
        Err(Error::from_code(code))
    } else {
        Ok(code)
    }
}

/// A slice's length as the ABI's `i32`.
fn len(bytes: &[u8]) -> Result<i32> {
    i32::try_from(bytes.len()).map_err(|_| Error::TooLarge)
}

fn utf8(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| Error::Invalid)
}

// ---- Buffers -----------------------------------------------------------------------------

/// A host buffer handle, freed when dropped so that long invocations do not run into the
/// host's buffer limit.
struct Buffer(i32);

impl Buffer {
    fn new(code: i32) -> Result<Buffer> {
        check(code).map(Buffer)
    }

    fn read(&self) -> Result<Vec<u8>> {
        // SAFETY: the host only reads the handle.
        let size = check(unsafe { sys::buf_len(self.0) })? as usize;
        let mut bytes = vec![0u8; size];
        let mut done = 0;
        while done < size {
            let rest = &mut bytes[done..];
            // SAFETY: the host writes at most `rest.len()` bytes into `rest`.
            let n = check(unsafe { sys::buf_read(self.0, done as i32, rest.as_mut_ptr(), rest.len() as i32) })?;
            if n == 0 {
                break; // the buffer cannot shrink, but never loop forever
            }
            done += n as usize;
        }
        bytes.truncate(done);
        Ok(bytes)
    }

    /// A metadata value of the buffer (`status`, `header.<name>`), or NOT_FOUND.
    fn meta(&self, name: &str) -> Result<String> {
        // SAFETY: the host reads `name` within its bounds.
        let handle = unsafe { sys::buf_meta(self.0, name.as_ptr(), len(name.as_bytes())?) };
        utf8(Buffer::new(handle)?.read()?)
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and freed once.
        unsafe { sys::buf_free(self.0) };
    }
}

// ---- Input, output and context -----------------------------------------------------------

/// The invocation's input: the HTTP request body, the event payload or the caller's input.
pub fn input() -> Result<Vec<u8>> {
    // SAFETY: no arguments.
    Buffer::new(unsafe { sys::input() })?.read()
}

/// The input as UTF-8 text; INVALID if it is not.
pub fn input_string() -> Result<String> {
    utf8(input()?)
}

/// A context value (`method`, `path`, `query`, `header.<name>`, `param.<name>`, `trigger`,
/// `key`, `op`, `app`, `function`, `invocation`, `var.<name>`, `connection`, `ws.event`, ...),
/// or NOT_FOUND.
pub fn ctx(name: &str) -> Result<String> {
    // SAFETY: the host reads `name` within its bounds.
    let handle = unsafe { sys::ctx(name.as_ptr(), len(name.as_bytes())?) };
    utf8(Buffer::new(handle)?.read()?)
}

/// The route parameter `name` (`:name` or `*name` in the manifest's route).
pub fn param(name: &str) -> Result<String> {
    ctx(&format!("param.{name}"))
}

/// A request header, by case-insensitive name.
pub fn header(name: &str) -> Result<String> {
    ctx(&format!("header.{}", name.to_ascii_lowercase()))
}

/// A variable of the app's manifest (`variables:`).
pub fn var(name: &str) -> Result<String> {
    ctx(&format!("var.{name}"))
}

/// Appends bytes (or text) to the response body.
pub fn write(data: impl AsRef<[u8]>) -> Result<()> {
    let data = data.as_ref();
    // SAFETY: the host reads `data` within its bounds.
    check(unsafe { sys::out_write(data.as_ptr(), len(data)?) }).map(drop)
}

/// Sets the HTTP status of the response (default 200); INVALID outside 100...599.
pub fn set_status(code: u16) -> Result<()> {
    // SAFETY: plain integer.
    check(unsafe { sys::out_status(code as i32) }).map(drop)
}

/// Adds a response header; INVALID for a bad name or a value with a line break.
pub fn add_header(name: &str, value: &str) -> Result<()> {
    // SAFETY: the host reads both strings within their bounds.
    check(unsafe {
        sys::out_header(name.as_ptr(), len(name.as_bytes())?, value.as_ptr(), len(value.as_bytes())?)
    })
    .map(drop)
}

/// The level of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

/// Adds a line to the invocation's log (`stratus logs APP`). Logging never fails for valid
/// arguments, which is all this signature can pass, so it returns nothing.
pub fn log(level: Level, message: &str) {
    let n = message.len().min(i32::MAX as usize) as i32;
    // SAFETY: the host reads `n` bytes of `message`.
    unsafe { sys::log(level as i32, message.as_ptr(), n) };
}

/// Wall-clock time in nanoseconds since the Unix epoch.
pub fn now_ns() -> i64 {
    // SAFETY: no arguments.
    unsafe { sys::now_ns() }
}

// ---- Calls and outbound HTTP -------------------------------------------------------------

/// An answer of [`call`] or [`http_fetch`]: its status, body and headers.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    buffer: Buffer,
}

impl Reply {
    fn new(handle: i32) -> Result<Reply> {
        let buffer = Buffer::new(handle)?;
        let body = buffer.read()?;
        // Every reply carries a status; 200 is the ABI's default if one ever does not.
        let status = buffer.meta("status").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
        Ok(Reply { status, body, buffer })
    }

    /// A header of the answer by case-insensitive name; repeated headers come joined by `, `.
    pub fn header(&self, name: &str) -> Option<String> {
        self.buffer.meta(&format!("header.{}", name.to_ascii_lowercase())).ok()
    }

    /// The body as UTF-8 text; INVALID if it is not.
    pub fn text(&self) -> Result<String> {
        utf8(self.body.clone())
    }
}

/// Runs `function` (same app) or `app/function` with `input` and waits for its answer.
/// FAILED if it trapped, DENIED if the manifest's `calls:` does not list it, LIMIT past the
/// call depth.
pub fn call(name: &str, input: impl AsRef<[u8]>) -> Result<Reply> {
    let input = input.as_ref();
    // SAFETY: the host reads both slices within their bounds.
    let handle = unsafe { sys::call(name.as_ptr(), len(name.as_bytes())?, input.as_ptr(), len(input)?) };
    Reply::new(handle)
}

/// Starts `function` or `app/function` with `input` asynchronously: durable, run at least once.
pub fn spawn(name: &str, input: impl AsRef<[u8]>) -> Result<()> {
    let input = input.as_ref();
    // SAFETY: the host reads both slices within their bounds.
    check(unsafe { sys::spawn(name.as_ptr(), len(name.as_bytes())?, input.as_ptr(), len(input)?) }).map(drop)
}

/// An HTTP request to a host of the manifest's `outbound:` list (DENIED otherwise; FAILED if
/// it could not be made). Any answer, 404 or 500 included, is a [`Reply`].
pub fn http_fetch(method: &str, url: &str, body: impl AsRef<[u8]>) -> Result<Reply> {
    let body = body.as_ref();
    // SAFETY: the host reads the three slices within their bounds.
    let handle = unsafe {
        sys::http_fetch(method.as_ptr(), len(method.as_bytes())?, url.as_ptr(), len(url.as_bytes())?,
                        body.as_ptr(), len(body)?)
    };
    Reply::new(handle)
}

/// `http_fetch("GET", url, "")`.
pub fn http_get(url: &str) -> Result<Reply> {
    http_fetch("GET", url, [])
}

// ---- Entry points ------------------------------------------------------------------------

/// Runs a handler: what the export made by [`handler!`] does. An `Err` answers the error's
/// [`Error::http_status`] with the body `error: NAME` and a log line; a panic is logged, then
/// traps (the platform answers 500).
pub fn run(handler: impl FnOnce() -> Result<()>) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|info| log(Level::Error, &info.to_string()))));
    if let Err(error) = handler() {
        log(Level::Error, &format!("handler failed: {error}"));
        // Best effort: the answer is an error either way.
        let _ = set_status(error.http_status());
        let _ = write(format!("error: {error}\n"));
    }
}

/// Exports a handler, a `fn() -> stratus::Result<()>`, as the module's entry:
///
/// ```ignore
/// stratus::handler!(main);           // exported as `handle`, the default entry
/// stratus::handler!(shout => loud);  // exported as `shout`: `entry: shout` in the manifest
/// ```
#[macro_export]
macro_rules! handler {
    ($function:path) => {
        $crate::handler!(handle => $function);
    };
    ($export:ident => $function:path) => {
        // In an anonymous block so that the export's name may be the handler's own.
        const _: () = {
            #[export_name = stringify!($export)]
            extern "C" fn entry() {
                $crate::run($function)
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in -9..=-1 {
            assert_eq!(Error::from_code(code).code(), code);
        }
        assert_eq!(Error::from_code(-5), Error::Conflict);
        assert_eq!(Error::Denied.to_string(), "DENIED");
    }

    #[test]
    fn found_maps_not_found_only() {
        assert_eq!(Err::<u8, _>(Error::NotFound).found(), Ok(None));
        assert_eq!(Ok::<u8, Error>(7).found(), Ok(Some(7)));
        assert_eq!(Err::<u8, _>(Error::Denied).found(), Err(Error::Denied));
    }
}
