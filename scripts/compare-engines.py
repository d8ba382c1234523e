#!/usr/bin/env python3
"""Runs bench/sieve.wat's `handle` in Stratus's engines (through `stratus-bench metering`:
WasmKit with fuel metering on and off, and wasmtime when its library loads), in wasmtime-py
(JIT) and in wasm3 (interpreter) from PyPI, all in one run, and prints p50/p99 and Stratus's
time as a multiple of each.

Usage: scripts/compare-engines.py [ROUNDS]   (after a release build of stratus-bench; installs
wasmtime and pywasm3 with pip if missing)
"""
import statistics
import subprocess
import sys
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 60
WAT = open("bench/sieve.wat").read()


def ensure(module, package):
    try:
        __import__(module)
        return True
    except ImportError:
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package],
                                capture_output=True, text=True)
        if result.returncode != 0:
            print(f"{package}: could not be installed ({result.stderr.strip().splitlines()[-1:]})")
            return False
        return True


def report(name, samples):
    samples = sorted(samples)
    p50 = samples[len(samples) // 2]
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name:<44} p50 {p50:9.1f} ms  p99 {p99:9.1f} ms  (n={len(samples)})")
    return p50


def timed(call):
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


results = {}
bench = subprocess.run([".build/release/stratus-bench", "metering"], capture_output=True, text=True, check=True)
for line in bench.stdout.splitlines():
    if line.startswith("sieve on "):
        print(line)
        results["stratus, " + line.split(":")[0][len("sieve on "):]] = float(line.split("p50")[1].split()[0])
if ensure("wasmtime", "wasmtime"):
    import wasmtime
    store = wasmtime.Store()
    module = wasmtime.Module(store.engine, WAT)
    handle = wasmtime.Instance(store, module, []).exports(store)["handle"]
    handle(store)
    results["wasmtime-py"] = report("wasmtime-py (JIT): compute-bound sieve", timed(lambda: handle(store)))
    binary = wasmtime.wat2wasm(WAT)
    if ensure("wasm3", "pywasm3"):
        import wasm3
        environment = wasm3.Environment()
        runtime = environment.new_runtime(1 << 20)
        runtime.load(environment.parse_module(bytes(binary)))
        function = runtime.find_function("handle")
        function()
        results["wasm3"] = report("wasm3 (interpreter): compute-bound sieve", timed(function))

for ours in ("stratus, wasmkit metered", "stratus, wasmkit unmetered", "stratus, wasmtime"):
    for other in ("wasmtime-py", "wasm3"):
        if ours in results and other in results:
            print(f"{ours} / {other}: {results[ours] / results[other]:.2f}")
