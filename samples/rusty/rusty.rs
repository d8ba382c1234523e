//! rusty: a Rust guest on the `stratus` SDK (sdk/rust). One module, several entries: each
//! function of stratus.yaml names its entry, and the routes and their answers are listed there.
//! No `unsafe` here: the SDK wraps the ABI. Build: scripts/build-rust.sh.

use std::fmt::Write as _;

use stratus::{kv, Error, Found, Level, Result};

stratus::handler!(hello); // exported as `handle`, the default entry
stratus::handler!(kvdemo => kv_demo);
stratus::handler!(caller => caller);
stratus::handler!(shout => shout);
stratus::handler!(spawner => spawner);
stratus::handler!(worker => worker);
stratus::handler!(spawned => spawned);
stratus::handler!(fetch => fetch);

fn text_plain() -> Result<()> {
    stratus::add_header("Content-Type", "text/plain; charset=utf-8")
}

/// Input, context values, variables, headers, the clock.
fn hello() -> Result<()> {
    // The name is the route parameter, else the request body (POST /rusty/hello).
    let name = match stratus::param("name").found()? {
        Some(name) => name,
        None => stratus::input_string()?,
    };
    let name = if name.is_empty() { "world".to_string() } else { name };
    // Any time after 2020-09-13 means the clock works.
    let clock = if stratus::now_ns() > 1_600_000_000_000_000_000 { "ok" } else { "wrong" };
    stratus::log(Level::Info, &format!("greeting {name}"));
    text_plain()?;
    stratus::add_header("X-Sdk", "stratus-rust")?;
    stratus::write(format!(
        "Hello, {name}!\nmethod={} path={} trigger={} function={} greeting={} clock={clock}\n",
        stratus::ctx("method")?,
        stratus::ctx("path")?,
        stratus::ctx("trigger")?,
        stratus::ctx("function")?,
        stratus::var("greeting")?,
    ))
}

/// Every KV call, on keys under `demo/` (removed first, so every run answers the same).
fn kv_demo() -> Result<()> {
    for entry in kv::scan("demo/", 100)? {
        kv::delete(&entry.key)?;
    }
    let mut report = String::new();
    // Each line: the operation, then its result or the error's ABI name.
    let mut line = |what: &str, result: Result<String>| {
        let shown = result.unwrap_or_else(|error| error.name().to_string());
        let _ = writeln!(report, "{what}: {shown}");
    };
    let ok = |result: Result<()>| result.map(|()| "ok".to_string());
    let text = |result: Result<Vec<u8>>| result.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());

    line("set demo/a", ok(kv::set("demo/a", "apple")));
    line("get demo/a", text(kv::get("demo/a")));
    line("incr demo/n +5", kv::incr("demo/n", 5).map(|n| n.to_string()));
    line("incr demo/n -2", kv::incr("demo/n", -2).map(|n| n.to_string()));
    line("get demo/n", kv::get_string("demo/n"));
    line("cas demo/b absent->banana", ok(kv::cas_absent("demo/b", "banana")));
    line("cas demo/b absent->banana", ok(kv::cas_absent("demo/b", "banana")));
    line("cas demo/b banana->blueberry", ok(kv::cas("demo/b", "banana", "blueberry")));
    line("cas demo/b banana->cherry", ok(kv::cas("demo/b", "banana", "cherry")));
    line("scan demo/", scan_line());
    line("delete demo/a", ok(kv::delete("demo/a")));
    line("delete demo/a", ok(kv::delete("demo/a")));
    line("get demo/a", text(kv::get("demo/a")));
    line("scan demo/", scan_line());
    line("get secret", text(kv::get("secret"))); // no grant: DENIED

    text_plain()?;
    stratus::write(report)
}

/// `key=value` pairs under `demo/`, comma-separated.
fn scan_line() -> Result<String> {
    let pairs: Vec<String> = kv::scan("demo/", 100)?
        .into_iter()
        .map(|entry| format!("{}={}", entry.key, String::from_utf8_lossy(&entry.value)))
        .collect();
    Ok(pairs.join(", "))
}

/// Calls `shout` (same app) with the body and reports its status, a header and its body.
fn caller() -> Result<()> {
    let reply = stratus::call("shout", stratus::input()?)?;
    let header = reply.header("X-Shouted").unwrap_or_default();
    text_plain()?;
    stratus::write(format!("shout answered {} (x-shouted: {header}): {}\n", reply.status, reply.text()?))
}

/// The input in capitals with a `!`, status 201.
fn shout() -> Result<()> {
    let loud = stratus::input_string()?.to_uppercase();
    stratus::set_status(201)?;
    stratus::add_header("X-Shouted", "yes")?;
    text_plain()?;
    stratus::write(format!("{loud}!"))
}

/// Starts `worker` with the body, without waiting for it.
fn spawner() -> Result<()> {
    stratus::spawn("worker", stratus::input()?)?;
    stratus::set_status(202)?;
    text_plain()?;
    stratus::write("spawned worker\n")
}

/// Runs asynchronously: keeps its input at `spawned/last`.
fn worker() -> Result<()> {
    let input = stratus::input()?;
    stratus::log(Level::Info, &format!("worker ran ({}) with {} bytes", stratus::ctx("trigger")?, input.len()));
    kv::set("spawned/last", input)
}

/// The input of the last `worker` run; 404 `nothing spawned yet` before the first.
fn spawned() -> Result<()> {
    text_plain()?;
    match kv::get("spawned/last") {
        Ok(value) => stratus::write(value),
        Err(Error::NotFound) => {
            stratus::set_status(404)?;
            stratus::write("nothing spawned yet\n")
        }
        Err(other) => Err(other),
    }
}

/// GETs the URL in the body; answers `status: N`, a newline, then the fetched body. Errors
/// answer through `run`: 403 `error: DENIED` outside `outbound:`, 502 `error: FAILED`.
fn fetch() -> Result<()> {
    let url = stratus::input_string()?;
    let reply = stratus::http_get(url.trim())?;
    if let Some(kind) = reply.header("content-type") {
        stratus::add_header("X-Fetched-Content-Type", &kind)?;
    }
    text_plain()?;
    stratus::write(format!("status: {}\n", reply.status))?;
    stratus::write(&reply.body)
}
