#!/usr/bin/env python3
"""Runs the JavaScript runner (js/stratus-js.wasm) under wasmtime with a stand-in Stratus host.

    pip install wasmtime
    scripts/build-js.sh && python3 js/test/harness.py [path/to/stratus-js.wasm]

The stand-in implements the `stratus` imports of docs/ABI.md (buffers, input, ctx, output,
log, now_ns, a KV store in a dict with one denied prefix, call/spawn/http_fetch/ws stubs) and
follows the host contract of js/README.md: instantiate, call js_init with the script as the
input, snapshot the memory, then run each invocation in an instance restored from the
snapshot (the way a pooled Stratus instance is put back between invocations). It checks the
output, status, headers, logs and KV state of each invocation, prints the runner's size and
the time of js_init and of one handle call, and ends with "N passed, N failed".
"""
import json
import os
import struct
import sys
import tempfile
import time

try:
    import wasmtime
except ImportError:
    sys.exit("harness.py needs the PyPI package wasmtime: pip install wasmtime")

HERE = os.path.dirname(os.path.abspath(__file__))
WASM = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "stratus-js.wasm")

NOT_FOUND, INVALID, DENIED, TOO_LARGE, CONFLICT, FAILED, BAD_HANDLE, LIMIT = range(-1, -9, -1)


class Invocation:
    """What one invocation sees and produces."""

    def __init__(self, input=b"", ctx=None):
        self.input = input if isinstance(input, bytes) else input.encode()
        self.ctx = {"trigger": "http", "method": "GET", "function": "js", "invocation": os.urandom(8).hex()}
        self.ctx.update(ctx or {})
        self.output = bytearray()
        self.status = 200
        self.headers = []
        self.logs = []          # (level, text)
        self.buffers = {}       # handle -> (bytes, {meta name: bytes})
        self.trap = None

    def buffer(self, data, meta=None):
        handle = len(self.buffers) + 1
        self.buffers[handle] = (bytes(data), meta or {})
        return handle

    def body(self):
        return self.output.decode()


class Host:
    """The platform's state that outlives invocations: KV, spawned jobs."""

    def __init__(self):
        self.kv = {}
        self.spawned = []
        self.ws = {"c1"}


def i32(*n):
    return [wasmtime.ValType.i32()] * len(n)


class Runner:
    """One JavaScript function: the module, its snapshot, and a live instance."""

    def __init__(self, engine, module, host):
        self.engine, self.module, self.host = engine, module, host
        self.inv = None
        self.snapshot = None
        self.stderr = tempfile.NamedTemporaryFile(prefix="stratus-js-stderr-", delete=False).name
        self.instantiate()

    # -- instances and snapshots ------------------------------------------------------------

    def instantiate(self):
        self.store = wasmtime.Store(self.engine)
        wasi = wasmtime.WasiConfig()
        wasi.stderr_file = self.stderr     # the runner must never write there
        self.store.set_wasi(wasi)
        linker = wasmtime.Linker(self.engine)
        linker.define_wasi()
        for name, (params, results, fn) in self.imports().items():
            ty = wasmtime.FuncType(params, results)
            linker.define_func("stratus", name, ty, fn, access_caller=True)
        self.instance = linker.instantiate(self.store, self.module)
        self.memory = self.instance.exports(self.store)["memory"]

    def take_snapshot(self):
        self.snapshot = bytes(self.memory.read(self.store, 0, self.memory.data_len(self.store)))

    def restore(self):
        """A fresh instance with the snapshot's memory. The only mutable global of the runner,
        __stack_pointer, is back at its initial value whenever an export returns."""
        self.instantiate()
        grow = len(self.snapshot) // 65536 - self.memory.size(self.store)
        if grow > 0:
            self.memory.grow(self.store, grow)
        self.memory.write(self.store, self.snapshot, 0)

    def run(self, export, inv):
        self.inv = inv
        try:
            self.instance.exports(self.store)[export](self.store)
        except wasmtime.Trap as trap:
            inv.trap = trap
        except wasmtime.WasmtimeError as error:   # e.g. an uncaught wasm exception
            inv.trap = error
        self.inv = None
        return inv

    def init(self, script):
        return self.run("js_init", Invocation(script))

    def invoke(self, **kw):
        self.restore()
        return self.run("handle", Invocation(**kw))

    # -- the stratus imports -----------------------------------------------------------------

    def imports(self):
        def mem(caller):
            return caller["memory"]

        def read(caller, ptr, n):
            m = mem(caller)
            if ptr < 0 or n < 0 or ptr + n > m.data_len(caller):
                return None
            return bytes(m.read(caller, ptr, ptr + n))

        def text(caller, ptr, n):
            data = read(caller, ptr, n)
            try:
                return None if data is None else data.decode()
            except UnicodeDecodeError:
                return None

        def key_of(caller, ptr, n):
            key = text(caller, ptr, n)
            if key is None or not 1 <= len(key.encode()) <= 512:
                return None, INVALID
            if key.startswith("secret/"):
                return None, DENIED
            return key, 0

        inv = lambda: self.inv

        def buf_len(c, h):
            return len(inv().buffers[h][0]) if h in inv().buffers else BAD_HANDLE

        def buf_read(c, h, off, ptr, cap):
            if h not in inv().buffers:
                return BAD_HANDLE
            chunk = inv().buffers[h][0][off:off + cap]
            if read(c, ptr, len(chunk)) is None:
                return INVALID
            mem(c).write(c, chunk, ptr)
            return len(chunk)

        def buf_free(c, h):
            return 0 if inv().buffers.pop(h, None) is not None else BAD_HANDLE

        def buf_meta(c, h, p, n):
            if h not in inv().buffers:
                return BAD_HANDLE
            value = inv().buffers[h][1].get(text(c, p, n))
            return NOT_FOUND if value is None else inv().buffer(value)

        def input_(c):
            return inv().buffer(inv().input)

        def ctx(c, p, n):
            value = inv().ctx.get(text(c, p, n))
            return NOT_FOUND if value is None else inv().buffer(value.encode())

        def out_write(c, p, n):
            data = read(c, p, n)
            if data is None:
                return INVALID
            inv().output += data
            return 0

        def out_status(c, code):
            inv().status = code
            return 0

        def out_header(c, np, nn, vp, vn):
            name, value = text(c, np, nn), text(c, vp, vn)
            if name is None or value is None:
                return INVALID
            inv().headers.append((name, value))
            return 0

        def log(c, level, p, n):
            line = text(c, p, n)
            if line is None:
                return INVALID
            inv().logs.append((level, line))
            return 0

        def now_ns(c):
            return time.time_ns()

        kv = self.host.kv

        def kv_get(c, p, n):
            key, rc = key_of(c, p, n)
            if rc:
                return rc
            return NOT_FOUND if key not in kv else inv().buffer(kv[key])

        def kv_set(c, p, n, vp, vn):
            key, rc = key_of(c, p, n)
            value = read(c, vp, vn)
            if rc or value is None:
                return rc or INVALID
            kv[key] = value
            return 0

        def kv_delete(c, p, n):
            key, rc = key_of(c, p, n)
            if rc:
                return rc
            return 0 if kv.pop(key, None) is not None else NOT_FOUND

        def kv_cas(c, p, n, ep, en, vp, vn):
            key, rc = key_of(c, p, n)
            expected = None if en == -1 else read(c, ep, en)
            value = read(c, vp, vn)
            if rc or value is None or (en != -1 and expected is None):
                return rc or INVALID
            if kv.get(key) != expected:
                return CONFLICT
            kv[key] = value
            return 0

        def kv_incr(c, p, n, delta, out):
            key, rc = key_of(c, p, n)
            if rc:
                return rc
            value = int(kv.get(key, b"0")) + delta
            kv[key] = str(value).encode()
            mem(c).write(c, struct.pack("<q", value), out)
            return 0

        def kv_scan(c, p, n, limit):
            prefix = text(c, p, n)
            if prefix is None or limit <= 0:
                return INVALID
            frame = b""
            for key in sorted(k for k in kv if k.startswith(prefix))[:limit]:
                k = key.encode()
                frame += struct.pack("<I", len(k)) + k + struct.pack("<I", len(kv[key])) + kv[key]
            return inv().buffer(frame)

        def call(c, np, nn, ip, in_):
            name, data = text(c, np, nn), read(c, ip, in_)
            if name == "echo":
                return inv().buffer(b"echo:" + data)
            return {"fail": FAILED, "private": DENIED}.get(name, NOT_FOUND)

        def spawn(c, np, nn, ip, in_):
            self.host.spawned.append((text(c, np, nn), read(c, ip, in_)))
            return 0

        def http_fetch(c, mp, mn, up, un, bp, bn):
            method, url, body = text(c, mp, mn), text(c, up, un), read(c, bp, bn)
            if "denied" in url:
                return DENIED
            return inv().buffer(f"{method} {url} {body.decode()}".encode(),
                                {"status": b"201", "header.content-type": b"text/plain"})

        def ws_send(c, cp, cn, dp, dn):
            return 0 if text(c, cp, cn) in self.host.ws else NOT_FOUND

        def ws_close(c, cp, cn):
            conn = text(c, cp, cn)
            if conn not in self.host.ws:
                return NOT_FOUND
            self.host.ws.discard(conn)
            return 0

        I64 = wasmtime.ValType.i64()
        return {
            "buf_len": (i32(1), i32(1), buf_len),
            "buf_read": (i32(1, 2, 3, 4), i32(1), buf_read),
            "buf_free": (i32(1), i32(1), buf_free),
            "buf_meta": (i32(1, 2, 3), i32(1), buf_meta),
            "input": ([], i32(1), input_),
            "ctx": (i32(1, 2), i32(1), ctx),
            "out_write": (i32(1, 2), i32(1), out_write),
            "out_status": (i32(1), i32(1), out_status),
            "out_header": (i32(1, 2, 3, 4), i32(1), out_header),
            "log": (i32(1, 2, 3), i32(1), log),
            "now_ns": ([], [I64], now_ns),
            "kv_get": (i32(1, 2), i32(1), kv_get),
            "kv_set": (i32(1, 2, 3, 4), i32(1), kv_set),
            "kv_delete": (i32(1, 2), i32(1), kv_delete),
            "kv_cas": (i32(1, 2, 3, 4, 5, 6), i32(1), kv_cas),
            "kv_incr": (i32(1, 2) + [I64] + i32(1), i32(1), kv_incr),
            "kv_scan": (i32(1, 2, 3), i32(1), kv_scan),
            "call": (i32(1, 2, 3, 4), i32(1), call),
            "spawn": (i32(1, 2, 3, 4), i32(1), spawn),
            "http_fetch": (i32(1, 2, 3, 4, 5, 6), i32(1), http_fetch),
            "ws_send": (i32(1, 2, 3, 4), i32(1), ws_send),
            "ws_close": (i32(1, 2), i32(1), ws_close),
        }


# -- the script under test ----------------------------------------------------------------------

SCRIPT = r"""
var initCount = 0;
initCount++;                       // state made by js_init: the snapshot keeps it
var calls = 0;                     // changed by handle: back to 0 in every restored instance
var initTime = Date.now();

var cases = {
  hello: function () {
    stratus.status(201);
    stratus.header('Content-Type', 'text/plain; charset=utf-8');
    stratus.header('X-Count', 42);
    stratus.write('hello ' + stratus.ctx('param.name'));
    stratus.write(new Uint8Array([0x21]));
    stratus.log('warn', 'a warning');
    stratus.log(3, 'an error line');
    stratus.log('plain info');
    console.log('console', {a: 1}, [1, 2], 3, undefined);
    console.error(new Error('logged, not thrown'));
  },
  state: function () {
    calls++;
    stratus.write(JSON.stringify({initCount: initCount, calls: calls, initTime: initTime}));
  },
  input: function () {
    var s = stratus.input();
    var b = stratus.inputBytes();
    stratus.header('x-length', s.length);
    stratus.header('x-bytes', b.length + ':' + (b instanceof Uint8Array) + ':' + b[0] + ',' + b[b.length - 1]);
    stratus.write(s);
  },
  ctx: function () {
    stratus.write(JSON.stringify({method: stratus.ctx('method'),
                                  missing: stratus.ctx('header.x-missing') === undefined}));
  },
  kv: function () {
    var r = {};
    r.missing = stratus.kv.get('k/missing') === undefined;
    stratus.kv.set('k/a', 'alpha');
    r.a = stratus.kv.get('k/a');
    r.bytes = Array.prototype.slice.call(stratus.kv.getBytes('k/a'), 0, 2);
    stratus.kv.set('k/bin', new Uint8Array([0, 255, 7]));
    r.del = [stratus.kv.delete('k/a'), stratus.kv.delete('k/a')];
    r.cas = [stratus.kv.cas('k/c', null, 'one'), stratus.kv.cas('k/c', null, 'two'),
             stratus.kv.cas('k/c', 'one', 'three'), stratus.kv.cas('k/c', 'one', 'four')];
    r.c = stratus.kv.get('k/c');
    r.incr = [stratus.kv.incr('k/n', 5), stratus.kv.incr('k/n', -2), stratus.kv.incr('k/n')];
    stratus.kv.set('s/b', '2'); stratus.kv.set('s/a', '1'); stratus.kv.set('s/c', '3'); stratus.kv.set('t/x', 'x');
    r.scan2 = stratus.kv.scan('s/', 2);
    r.scanAll = stratus.kv.scan('s/').map(function (e) { return e.key + '=' + e.value; }).join(',');
    stratus.kv.set('k/\u00fc\ud83d\ude00', 'wert \ud83d\ude00');
    r.unicode = stratus.kv.get('k/\u00fc\ud83d\ude00');
    try { stratus.kv.set('secret/x', 'y'); r.denied = 'no error'; }
    catch (e) { r.denied = e.message; r.deniedIsError = e instanceof Error; }
    try { stratus.kv.incr('k/n', 1.5); } catch (e) { r.badDelta = e.name; }
    try { stratus.kv.get(); } catch (e) { r.noKey = e.name; }
    stratus.write(JSON.stringify(r));
  },
  trycatch: function () {
    var r = [];
    try { throw new Error('boom'); } catch (e) { r.push('caught ' + e.message); }
    try { null.x; } catch (e) { r.push(e.name); }
    try { JSON.parse('{bad'); } catch (e) { r.push(e.name); }
    try { undefinedFunction(); } catch (e) { r.push(e.name); }
    try { stratus.call('fail', 'x'); } catch (e) { r.push(e.message); }
    try { [1, 2, 3].map(function (x) { if (x === 2) throw new RangeError('in map'); return x; }); }
    catch (e) { r.push(e.name + ':' + e.message); }
    r.push([1, 2, 3].map(function (x) { try { throw x; } catch (v) { return v * 10; } }).join(','));
    function f() { try { return 'try'; } finally { r.push('finally'); } }
    r.push(f());
    function deep(n) { if (n === 0) throw new Error('deep'); return deep(n - 1); }
    try { deep(500); } catch (e) { r.push(e.message); }
    try { try { throw new Error('inner'); } catch (e) { throw new Error('outer:' + e.message); } }
    catch (e) { r.push(e.message); }
    try { eval('var = ;'); } catch (e) { r.push(e.name); }
    try { (function rec() { rec(); })(); } catch (e) { r.push(e.name); }
    function nest(n) { return n === 0 ? 0 : [n].map(function (x) { return nest(x - 1) + 1; })[0]; }
    r.push(nest(20));
    var deep = [
      function () { nest(100000); },
      function () { new Function('return ' + new Array(5000).join('(') + '1' + new Array(5000).join(')'))(); },
      function () { JSON.parse(new Array(100000).join('[')); },
      function () { var a = []; for (var i = 0; i < 10000; i++) a = [a]; JSON.stringify(a); },
      function () { /^(\w+\s?)*$/.exec(new Array(5000).join('ab ')); },
    ];
    for (var i = 0; i < deep.length; i++) {
      try { deep[i](); r.push('no error'); } catch (e) { r.push(e.name + ': ' + e.message); }
    }
    stratus.write(JSON.stringify(r));
  },
  services: function () {
    var r = {};
    r.call = stratus.call('echo', 'ping');
    try { stratus.call('private', ''); } catch (e) { r.denied = e.message; }
    try { stratus.call('nobody', ''); } catch (e) { r.missing = e.message; }
    stratus.spawn('worker', 'job-1');
    var res = stratus.fetch('POST', 'https://api.example/x', 'payload');
    r.fetch = [res.status, res.body, res.header('Content-Type'), res.header('X-Missing') === undefined];
    try { stratus.fetch('GET', 'https://denied.example/'); } catch (e) { r.fetchDenied = e.message; }
    r.ws = [stratus.ws.send('gone', 'x'), stratus.ws.send('c1', 'hi'), stratus.ws.close('c1'), stratus.ws.close('c1')];
    stratus.write(JSON.stringify(r));
  },
  time: function () {
    stratus.write(JSON.stringify({date: Date.now(), now: stratus.now(), iso: new Date(0).toISOString(),
                                  random: Math.random()}));
  },
  features: function () {
    var probes = {
      'arrow functions': 'var f = (x) => x; f(1)', 'let': 'let a = 1', 'const': 'const b = 2',
      'template literals': 'var x = `a${1}`', 'classes': 'class A {}',
      'Promise': 'new Promise(function (r) { r(1); })', 'Symbol': 'Symbol("s")',
      'Proxy': 'new Proxy({}, {})', 'Reflect': 'Reflect.ownKeys({})',
      'typed arrays': 'new Uint8Array(2)', 'TextEncoder/TextDecoder': 'new TextDecoder().decode(new TextEncoder().encode("x"))',
      'String.prototype.includes': '"ab".includes("a")', 'Object.assign': 'Object.assign({}, {a: 1})',
      'for...of': 'for (var x of [1]) {}', 'destructuring': 'var {a} = {a: 1}', 'JSON': 'JSON.stringify({a: [1]})',
      'RegExp': '/a(b+)/.exec("abb")[1]', 'Date': 'new Date().getTime()', 'Map/Set': 'new Map(); new Set()',
      'spread': 'Math.max(...[1, 2])', 'exponent operator': '2 ** 3', 'async functions': 'async function f() {}',
      'getters/setters': 'var o = { get x() { return 1; } }; o.x', 'Array.prototype.find': '[1].find(function (x) { return x; })',
      'computed property names': 'var o = {["a" + 1]: 1}', 'Object.setPrototypeOf': 'Object.setPrototypeOf({}, null)', 'String.prototype.repeat': '"a".repeat(2)',
      'WeakMap': 'new WeakMap()', 'ES5 strict mode': '(function () { "use strict"; return this; })() === undefined', 'Uint8Array.from': 'Uint8Array.from([1])',
    };
    var r = {};
    for (var k in probes) { try { eval(probes[k]); r[k] = true; } catch (e) { r[k] = false; } }
    stratus.write(JSON.stringify(r));
  },
  throwError: function () {
    var o = {};
    o.inner = function inner() { throw new Error('kaboom'); };
    o.inner();
  },
  throwString: function () { throw 'a plain string'; },
  bench: function () { stratus.write('ok'); },
};

function handle() {
  cases[stratus.ctx('param.case')]();
}
"""

# -- checks ----------------------------------------------------------------------------------

passed, failed = 0, 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok    {name}")
    else:
        failed += 1
        print(f"FAIL  {name} {detail}")


def js_error_line(inv):
    lines = [text for level, text in inv.logs if level == 3 and text.startswith("JavaScript error: ")]
    return lines[-1] if lines else None


def is_unreachable_trap(inv):
    return isinstance(inv.trap, wasmtime.Trap) and inv.trap.trap_code == wasmtime.TrapCode.UNREACHABLE


def main():
    config = wasmtime.Config()
    config.wasm_exceptions = True      # setjmp/longjmp: try_table and throw
    engine = wasmtime.Engine(config)
    module = wasmtime.Module.from_file(engine, WASM)
    size = os.path.getsize(WASM)
    imports = sorted({(i.module, i.name) for i in module.imports})
    print(f"runner: {WASM} ({size} bytes)")
    check("exports memory, handle, js_init",
          {e.name for e in module.exports} == {"memory", "handle", "js_init"}, [e.name for e in module.exports])
    check("imports only stratus and (unused) WASI stdio",
          all(m == "stratus" or (m, n) in {("wasi_snapshot_preview1", x) for x in ("fd_write", "fd_seek", "fd_close")}
              for m, n in imports), imports)

    host = Host()
    runner = Runner(engine, module, host)
    t0 = time.perf_counter()
    init = runner.init(SCRIPT)
    init_ms = (time.perf_counter() - t0) * 1000
    check("js_init runs the script", init.trap is None and not init.logs, f"{init.trap} {init.logs}")
    runner.take_snapshot()
    print(f"       js_init: {init_ms:.1f} ms; memory after it (the snapshot): {len(runner.snapshot) // 1024} KiB")

    inv = runner.invoke(ctx={"param.case": "hello", "param.name": "world"})
    check("hello: output", inv.output == b"hello world!", inv.output)
    check("hello: status", inv.status == 201, inv.status)
    check("hello: headers", inv.headers == [("Content-Type", "text/plain; charset=utf-8"), ("X-Count", "42")], inv.headers)
    check("hello: log levels and console", inv.logs[:4] == [(2, "a warning"), (3, "an error line"), (1, "plain info"),
                                                            (1, 'console {"a":1} [1,2] 3 undefined')], inv.logs)
    check("hello: console.error prints the stack", inv.logs[4][0] == 3 and inv.logs[4][1].startswith(
        "Error: logged, not thrown\n    at "), inv.logs[4:])

    for n in range(2):
        inv = runner.invoke(ctx={"param.case": "state"})
        state = json.loads(inv.output)
        check(f"state from js_init visible in handle (restored instance {n + 1})",
              state["initCount"] == 1 and state["calls"] == 1, state)

    runner.restore()     # without a restore between calls the instance keeps the changes
    runner.run("handle", Invocation(ctx={"param.case": "state"}))
    again = json.loads(runner.run("handle", Invocation(ctx={"param.case": "state"})).output)
    check("state changes persist in one live instance", again["calls"] == 2, again)

    text = "h\u00e9llo \U0001F600 \u4e16\u754c"
    inv = runner.invoke(input=text, ctx={"param.case": "input"})
    check("input(): UTF-8 text round-trips", inv.output == text.encode(), inv.output)
    headers = dict(inv.headers)
    print(f"       note: '{text}'.length in the runner is {headers.get('x-length')} (ES says {len(text.encode('utf-16-le')) // 2})")
    inv = runner.invoke(input=b"\x00\x01\xfeabc\xff", ctx={"param.case": "input"})
    check("inputBytes(): a Uint8Array of the raw input", dict(inv.headers).get("x-bytes") == "7:true:0,255", inv.headers)

    inv = runner.invoke(ctx={"param.case": "ctx"})
    check("ctx(): values and undefined", json.loads(inv.output) == {"method": "GET", "missing": True}, inv.output)

    inv = runner.invoke(ctx={"param.case": "kv"})
    r = json.loads(inv.output) if inv.trap is None else {}
    check("kv: get missing -> undefined, set/get", r.get("missing") is True and r.get("a") == "alpha", r)
    check("kv: getBytes", r.get("bytes") == [97, 108], r.get("bytes"))
    check("kv: delete -> true, then false", r.get("del") == [True, False], r.get("del"))
    check("kv: cas absent/conflict/match", r.get("cas") == [True, False, True, False] and r.get("c") == "three", r)
    check("kv: incr", r.get("incr") == [5, 3, 4] and host.kv.get("k/n") == b"4", (r.get("incr"), host.kv.get("k/n")))
    check("kv: scan with a limit", r.get("scan2") == [{"key": "s/a", "value": "1"}, {"key": "s/b", "value": "2"}], r.get("scan2"))
    check("kv: scan in key order", r.get("scanAll") == "s/a=1,s/b=2,s/c=3", r.get("scanAll"))
    check("kv: binary value stored as bytes", host.kv.get("k/bin") == b"\x00\xff\x07", host.kv.get("k/bin"))
    check("kv: non-BMP key and value (surrogate pairs in JS) reach the host as UTF-8",
          r.get("unicode") == "wert \U0001F600" and host.kv.get("k/\u00fc\U0001F600") == "wert \U0001F600".encode(),
          (r.get("unicode"), [k for k in host.kv if k.startswith("k/\u00fc")]))
    check("kv: a DENIED error is a thrown Error named after the code",
          r.get("denied") == "stratus.kv.set: DENIED" and r.get("deniedIsError") is True, r.get("denied"))
    check("kv: argument errors", r.get("badDelta") == "RangeError" and r.get("noKey") == "TypeError", r)

    inv = runner.invoke(ctx={"param.case": "trycatch"})
    r = json.loads(inv.output) if inv.trap is None else None
    expected = ["caught boom", "TypeError", "SyntaxError", "ReferenceError", "stratus.call: FAILED",
                "RangeError:in map", "10,20,30", "finally", "try", "deep", "outer:inner", "SyntaxError",
                "RangeError", 20]
    check("try/catch inside JavaScript (errors from JS, the engine, built-ins and the API)",
          r is not None and r[:len(expected)] == expected, f"{r} trap={inv.trap} logs={inv.logs}")
    check("deep recursion in C is a catchable RangeError, not a stack overflow (callbacks, source, JSON, RegExp)",
          r is not None and r[len(expected):] == [
              "RangeError: C stack depth limit", "RangeError: compiler recursion limit (line 1)",
              "RangeError: decode recursion limit", "RangeError: encode recursion limit",
              "RangeError: regexp executor recursion limit"], r and r[len(expected):])

    inv = runner.invoke(ctx={"param.case": "services"})
    r = json.loads(inv.output) if inv.trap is None else {}
    check("call: output as a string", r.get("call") == "echo:ping", r)
    check("call: errors", r.get("denied") == "stratus.call: DENIED" and r.get("missing") == "stratus.call: NOT_FOUND", r)
    check("spawn", host.spawned == [("worker", b"job-1")], host.spawned)
    check("fetch: status, body, header()", r.get("fetch") == [201, "POST https://api.example/x payload", "text/plain", True], r)
    check("fetch: DENIED", r.get("fetchDenied") == "stratus.fetch: DENIED", r)
    check("ws.send/close", r.get("ws") == [False, True, True, False], r.get("ws"))

    t = time.time() * 1000
    a = json.loads(runner.invoke(ctx={"param.case": "time"}).output)
    b = json.loads(runner.invoke(ctx={"param.case": "time"}).output)
    check("Date.now() and stratus.now() follow the host clock", abs(a["date"] - t) < 5000 and abs(a["now"] - t) < 5000, a)
    check("Date in UTC", a["iso"] == "1970-01-01T00:00:00.000Z", a["iso"])
    check("Math.random differs between invocations restored from one snapshot", a["random"] != b["random"], (a, b))

    features = json.loads(runner.invoke(ctx={"param.case": "features"}).output)
    print("       language: " + ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in features.items()))

    inv = runner.invoke(ctx={"param.case": "throwError"})
    line = js_error_line(inv)
    check("uncaught Error in handle: trap", is_unreachable_trap(inv), inv.trap)
    check("uncaught Error in handle: 'JavaScript error: ' + stack logged",
          line is not None and line.startswith("JavaScript error: Error: kaboom\n    at inner (script.js:") and "handle" in line,
          line)
    print("       " + (line or "").replace("\n", "\n       "))
    inv = runner.invoke(ctx={"param.case": "throwString"})
    check("uncaught non-Error value: trap and its string", is_unreachable_trap(inv)
          and js_error_line(inv) == "JavaScript error: a plain string", (inv.trap, inv.logs))
    inv = runner.invoke(ctx={"param.case": "state"})
    check("an instance restored after a trap works", inv.trap is None and json.loads(inv.output)["calls"] == 1)

    for label, script, start in [
        ("syntax error at js_init", "function handle() {\n  stratus.write('x'\n}\n", "JavaScript error: SyntaxError: "),
        ("throw at js_init", "var x = 1;\nthrow new TypeError('bad config');\nfunction handle() {}",
         "JavaScript error: TypeError: bad config\n    at global (script.js:2)"),
        ("no global handle", "var handler = function () {};",
         "JavaScript error: TypeError: the script must define a global function handle"),
    ]:
        bad = Runner(engine, module, Host())
        inv = bad.init(script)
        line = js_error_line(inv)
        check(f"{label}: trap and log line", is_unreachable_trap(inv) and line is not None and line.startswith(start),
              f"{inv.trap} {inv.logs}")
        print("       " + (line or "").replace("\n", "\n       "))
    ok = Runner(engine, module, Host())
    check("handle may be a global assigned a function expression",
          ok.init("handle = function () { stratus.write('hi'); };").trap is None
          and ok.run("handle", Invocation()).output == b"hi")
    check("handle before js_init traps with a message",
          is_unreachable_trap(Runner(engine, module, Host()).run("handle", Invocation())))

    with open(runner.stderr) as f:
        check("nothing written to WASI stderr", f.read() == "")

    # Timing: the handle export only, in instances restored from the snapshot.
    times = []
    for _ in range(20):
        runner.restore()
        inv = Invocation(ctx={"param.case": "bench"})
        t0 = time.perf_counter()
        runner.run("handle", inv)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    t0 = time.perf_counter()
    runner.restore()
    restore_ms = (time.perf_counter() - t0) * 1000
    print(f"       handle (a trivial script function): median {times[len(times) // 2]:.3f} ms, "
          f"min {times[0]:.3f} ms over {len(times)}; instantiate + restore in Python: {restore_ms:.1f} ms")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
