//! The app's key-value store, within the function's grants (`kv:` in the manifest; DENIED
//! outside them). Keys are UTF-8, 1 to 512 bytes; values are bytes.

use crate::{check, len, sys, utf8, Buffer, Error, Result};

/// The value of `key`, or NOT_FOUND (`.found()` turns that into `None`).
pub fn get(key: &str) -> Result<Vec<u8>> {
    // SAFETY: the host reads `key` within its bounds.
    Buffer::new(unsafe { sys::kv_get(key.as_ptr(), len(key.as_bytes())?) })?.read()
}

/// The value of `key` as UTF-8 text; NOT_FOUND, or INVALID if it is not text.
pub fn get_string(key: &str) -> Result<String> {
    utf8(get(key)?)
}

/// Writes `value` at `key`.
pub fn set(key: &str, value: impl AsRef<[u8]>) -> Result<()> {
    let value = value.as_ref();
    // SAFETY: the host reads both slices within their bounds.
    check(unsafe { sys::kv_set(key.as_ptr(), len(key.as_bytes())?, value.as_ptr(), len(value)?) }).map(drop)
}

/// Removes `key`; NOT_FOUND if it was absent.
pub fn delete(key: &str) -> Result<()> {
    // SAFETY: the host reads `key` within its bounds.
    check(unsafe { sys::kv_delete(key.as_ptr(), len(key.as_bytes())?) }).map(drop)
}

/// Writes `value` only if `key` holds exactly `expected`; CONFLICT otherwise (also when the
/// key is absent).
pub fn cas(key: &str, expected: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
    let expected = expected.as_ref();
    cas_raw(key, expected.as_ptr(), len(expected)?, value.as_ref())
}

/// Writes `value` only if `key` is absent; CONFLICT if it exists.
pub fn cas_absent(key: &str, value: impl AsRef<[u8]>) -> Result<()> {
    // `exp_len = -1` is the ABI's "must be absent"; the pointer is then not read.
    cas_raw(key, [].as_ptr(), -1, value.as_ref())
}

fn cas_raw(key: &str, exp_ptr: *const u8, exp_len: i32, value: &[u8]) -> Result<()> {
    // SAFETY: the host reads the key, `exp_len` bytes at `exp_ptr` (none for -1) and the
    // value, all within the bounds the callers above took them from.
    check(unsafe {
        sys::kv_cas(key.as_ptr(), len(key.as_bytes())?, exp_ptr, exp_len, value.as_ptr(), len(value)?)
    })
    .map(drop)
}

/// Adds `delta` to the decimal number stored at `key` (absent counts as 0) and returns the
/// new value.
pub fn incr(key: &str, delta: i64) -> Result<i64> {
    let mut out: i64 = 0;
    // SAFETY: the host writes the 8 bytes of `out` (a little-endian i64, as wasm32 is).
    check(unsafe { sys::kv_incr(key.as_ptr(), len(key.as_bytes())?, delta, &mut out) })?;
    Ok(out)
}

/// A key and its value, from [`scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: Vec<u8>,
}

/// Up to `limit` (at least 1) keys starting with `prefix`, in key order, with their values.
/// Keys outside the function's grants are skipped.
pub fn scan(prefix: &str, limit: u32) -> Result<Vec<Entry>> {
    let limit = i32::try_from(limit).unwrap_or(i32::MAX);
    // SAFETY: the host reads `prefix` within its bounds.
    let framed = Buffer::new(unsafe { sys::kv_scan(prefix.as_ptr(), len(prefix.as_bytes())?, limit) })?.read()?;
    decode_pairs(&framed)
}

/// Decodes the scan framing: `[u32 LE key length][key][u32 LE value length][value]`, repeated.
fn decode_pairs(mut bytes: &[u8]) -> Result<Vec<Entry>> {
    fn field<'a>(bytes: &mut &'a [u8]) -> Result<&'a [u8]> {
        if bytes.len() < 4 {
            return Err(Error::Invalid);
        }
        let (size, rest) = bytes.split_at(4);
        let size = u32::from_le_bytes([size[0], size[1], size[2], size[3]]) as usize;
        if rest.len() < size {
            return Err(Error::Invalid);
        }
        let (data, rest) = rest.split_at(size);
        *bytes = rest;
        Ok(data)
    }
    let mut entries = Vec::new();
    while !bytes.is_empty() {
        let key = utf8(field(&mut bytes)?.to_vec())?;
        let value = field(&mut bytes)?.to_vec();
        entries.push(Entry { key, value });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(pairs: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (key, value) in pairs {
            out.extend_from_slice(&(key.len() as u32).to_le_bytes());
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            out.extend_from_slice(value);
        }
        out
    }

    #[test]
    fn decodes_pairs() {
        let bytes = frame(&[("a", b"apple"), ("b", b""), ("n", b"3")]);
        let entries = decode_pairs(&bytes).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0], Entry { key: "a".into(), value: b"apple".to_vec() });
        assert_eq!(entries[1].value, b"");
        assert_eq!(entries[2].key, "n");
        assert_eq!(decode_pairs(&[]).unwrap(), vec![]);
    }

    #[test]
    fn rejects_truncated_frames() {
        let bytes = frame(&[("key", b"value")]);
        for cut in 1..bytes.len() {
            assert_eq!(decode_pairs(&bytes[..cut]), Err(Error::Invalid), "cut at {cut}");
        }
    }
}
