#!/usr/bin/env bash
# Builds the JavaScript runner: js/runner.c and Debian's Duktape into js/stratus-js.wasm.
#
#   [STRATUS_JS_STACK_KIB=512] scripts/build-js.sh [OUTPUT]
#
# STRATUS_JS_STACK_KIB is the engine call stack the host gives the runner (WasmKit's default
# EngineConfiguration.stackSize, 512 KiB, unless raised); Duktape's recursion limits are set
# to fit it, so deep recursion throws a RangeError instead of overflowing it.
#
# Duktape comes from the Debian package duktape-dev (/usr/share/duktape/duktape.c, 2.7.0),
# copied to js/build/ with its duk_config.h extended by js/duk_config_stratus.h; nothing of
# it is kept in the repository. Installs duktape-dev, wasi-libc and libclang-rt-dev-wasm32
# with apt-get when they are missing; the build itself is offline.
#
# Duktape throws JavaScript errors with setjmp/longjmp. wasm32 has no native setjmp, so clang
# lowers it to the WebAssembly exception-handling proposal (try_table, throw; exnref, not the
# legacy encoding) with js/wasm/sjlj.c as its runtime: the engine must support that proposal
# (WasmKit 0.4 does by default; wasmtime with its exceptions feature on). js/README.md has more.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js="$repo/js"
build="$js/build"
out="${1:-$js/stratus-js.wasm}"
duktape=/usr/share/duktape
stack_kib="${STRATUS_JS_STACK_KIB:-512}"
# The C stack, in linear memory: a quarter of that, at least 256 KiB (the deepest recursion
# the limits allow used 150 KiB with STRATUS_JS_STACK_KIB=4096).
c_stack_kib=$((stack_kib / 4 > 256 ? stack_kib / 4 : 256))

# --- Toolchain and packages -------------------------------------------------------------

source "$(dirname "${BASH_SOURCE[0]}")/wasm-toolchain.sh"

missing=()
[[ -f /usr/lib/wasm32-wasi/libc.a ]] || missing+=(wasi-libc)
[[ -n "$(find_rt)" ]] || missing+=(libclang-rt-dev-wasm32)
[[ -f $duktape/duktape.c ]] || missing+=(duktape-dev)
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" ${missing[@]+"${missing[@]}"}

RT="$(find_rt)"
if [[ -z "$RT" || ! -f /usr/lib/wasm32-wasi/libc.a || ! -f $duktape/duktape.c ]]; then
    echo "error: wasi-libc, the wasm32 compiler-rt builtins or duktape.c are still missing" >&2
    exit 1
fi
echo "using $cc ($("$cc" --version | head -1))"
echo "using Duktape $(sed -n 's/.*"duk_version_string": "\([^"]*\)".*/\1/p' $duktape/duk_source_meta.json) from $duktape"

# --- Duktape's sources, configured ------------------------------------------------------

mkdir -p "$build"
cp -f $duktape/duktape.c $duktape/duktape.h "$build/"
marker='/* __OVERRIDE_DEFINES__ */'
if ! grep -qF "$marker" $duktape/duk_config.h; then
    echo "error: $duktape/duk_config.h has no $marker line to add js/duk_config_stratus.h at" >&2
    exit 1
fi
awk -v marker="$marker" '{ print } $0 == marker { print "#include \"duk_config_stratus.h\"" }' \
    $duktape/duk_config.h >"$build/duk_config.h"

# --- Compile and link -------------------------------------------------------------------

target=(--target=wasm32-wasi --sysroot=/usr)
cflags=("${target[@]}" -O2 -mexception-handling -mllvm -wasm-enable-sjlj -mllvm -wasm-use-legacy-eh=false
        -I "$build" -I "$js" -I "$js/wasm" -I "$repo/sdk/c" -fmacro-prefix-map="$repo/"= -DSTRATUS_JS_STACK_KIB="$stack_kib")
# A native-ABI guest with no _start; the C stack placed below the data, so an overflow
# traps instead of overwriting the heap.
# shellcheck disable=SC2054  # -Wl,a,b is one flag
ldflags=("${target[@]}" -nostartfiles -Wl,--no-entry -Wl,--export=handle -Wl,--export=js_init
         -Wl,--stack-first -Wl,-z,stack-size=$((c_stack_kib * 1024)) -Wl,--strip-debug)

# duktape.c is 3.6 MB: rebuild its object only when it, the configuration or the flags changed.
obj="$build/duktape.o"
flags="${cflags[*]}"
if [[ ! -f $obj || "$(cat "$build/duktape.flags" 2>/dev/null)" != "$flags" || $duktape/duktape.c -nt $obj \
      || $duktape/duk_config.h -nt $obj || $js/duk_config_stratus.h -nt $obj || $js/wasm/setjmp.h -nt $obj ]]; then
    echo "compiling duktape.c"
    "$cc" "${cflags[@]}" -w -c -o "$obj.tmp" "$build/duktape.c"
    mv -f "$obj.tmp" "$obj"
    printf '%s' "$flags" >"$build/duktape.flags"
fi
echo "compiling js/runner.c"
"$cc" "${cflags[@]}" -Wall -Wextra -c -o "$build/runner.o" "$js/runner.c"
"$cc" "${cflags[@]}" -Wall -Wextra -c -o "$build/sjlj.o" "$js/wasm/sjlj.c"
"$cc" "${ldflags[@]}" -o "$out" "$build/runner.o" "$build/sjlj.o" "$obj" -nodefaultlibs -lc "$RT"
echo "built ${out#"$repo"/}: $(wc -c <"$out" | tr -d ' ') bytes"
