#!/usr/bin/env bash
# Installs what building and testing Stratus needs on a fresh Debian machine with Swift:
# SQLite's and zlib's headers and the C-to-WebAssembly toolchain for the samples; commands named
# as arguments (packages of the same name, such as chromium for the web UI's tests); wasmtime's C
# library for the compiling engine tier (scripts/install-wasmtime.sh). Idempotent.
set -euo pipefail

missing=()
[[ -f /usr/include/sqlite3.h ]] || missing+=(libsqlite3-dev)
[[ -f /usr/lib/wasm32-wasi/libc.a ]] || missing+=(wasi-libc)
compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a' >/dev/null || missing+=(libclang-rt-dev-wasm32)
# The backup archive code links zlib.
[[ -f /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
for extra in "$@"; do
    command -v "$extra" >/dev/null 2>&1 || missing+=("$extra")
done
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" ${missing[@]+"${missing[@]}"}
"$(dirname "${BASH_SOURCE[0]}")/install-wasmtime.sh" || echo "setup: wasmtime's library could not be installed; Stratus will run guests on WasmKit" >&2
