#!/usr/bin/env bash
# Builds the C and C++ sample apps in samples/*/ to WebAssembly.
#
#   scripts/build-samples.sh [OUTPUT_DIR]
#
# Each samples/NAME/FILE.c (or FILE.cpp) becomes samples/NAME/FILE.wasm, next to its source. With
# OUTPUT_DIR, each sample's manifest and .wat files are copied to OUTPUT_DIR/NAME/ and the
# modules are built there instead, giving deployable copies of the apps.
#
# A source with a `main` function is a WASI command (`_start`); any other is a guest of the
# native ABI: a library with no `_start` that exports `handle` and imports only from
# `stratus` (or `my-own-cluster`). .wat modules need no build: Stratus compiles them.
#
# Needs a clang with the WebAssembly target and wasm-ld (the Swift toolchain's at
# /opt/swift/usr/bin, else the one on PATH); installs the Debian packages wasi-libc and
# libclang-rt-dev-wasm32 with apt-get when they are missing, and libc++-dev-wasm32 (libc++
# and libc++abi for wasm32-wasi) when there is a .cpp sample. libc++ is built without
# exceptions, so C++ sources are compiled with -fno-exceptions.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
samples="$repo/samples"
sdk="$repo/sdk/c"

out=""
if [[ $# -gt 1 ]]; then
    echo "usage: $0 [OUTPUT_DIR]" >&2
    exit 2
elif [[ $# -eq 1 ]]; then
    mkdir -p "$1"
    out="$(cd "$1" && pwd)"
fi

# --- Toolchain --------------------------------------------------------------------------

source "$(dirname "${BASH_SOURCE[0]}")/wasm-toolchain.sh"

# clang++ is the same driver in C++ mode.
cxx="$(dirname "$cc")/clang++"
[[ -x "$cxx" ]] || cxx="$cc"
cxx_headers=/usr/include/wasm32-wasi/c++/v1
have_cxx() {
    [[ -f /usr/lib/wasm32-wasi/libc++.a && -f /usr/lib/wasm32-wasi/libc++abi.a && -d "$cxx_headers" ]]
}
need_cxx=0
if compgen -G "$samples/*/*.cpp" >/dev/null; then
    need_cxx=1
fi

missing=()
[[ -f /usr/lib/wasm32-wasi/libc.a ]] || missing+=(wasi-libc)
[[ -n "$(find_rt)" ]] || missing+=(libclang-rt-dev-wasm32)
# libc++-dev-wasm32 depends on libc++abi-14-dev-wasm32 (Debian 12 has no libc++abi-dev-wasm32).
[[ $need_cxx -eq 0 ]] || have_cxx || missing+=(libc++-dev-wasm32)
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" ${missing[@]+"${missing[@]}"}

RT="$(find_rt)"
if [[ -z "$RT" || ! -f /usr/lib/wasm32-wasi/libc.a ]]; then
    echo "error: wasi-libc or the wasm32 compiler-rt builtins are still missing" >&2
    exit 1
fi
if [[ $need_cxx -eq 1 ]] && ! have_cxx; then
    echo "error: libc++ for wasm32-wasi is still missing ($cxx_headers, /usr/lib/wasm32-wasi/libc++.a)" >&2
    exit 1
fi

echo "using $cc ($("$cc" --version | head -1))"
echo "using $RT"
[[ $need_cxx -eq 0 ]] || echo "using $cxx and libc++ from $cxx_headers"

# Flags shared by every module.
cflags=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -I "$sdk")
# shellcheck disable=SC2054  # -Wl,a,b is one flag
ldflags=(-nodefaultlibs -lc "$RT" -Wl,--strip-debug)
# C++: libc++'s headers (as -isystem, so -Wall -Wextra judge only our code), no exceptions
# (the Debian libc++ has none), and libc++ and libc++abi before libc.
cxxflags=(--target=wasm32-wasi --sysroot=/usr -std=c++17 -fno-exceptions -isystem "$cxx_headers"
    -O2 -Wall -Wextra -I "$sdk")
cxxldflags=(-nodefaultlibs -lc++ -lc++abi -lc "$RT" -Wl,--strip-debug)
# A native-ABI guest: no _start, no constructors run by a WASI entry; just `handle`.
# shellcheck disable=SC2054
native_flags=(-nostartfiles -Wl,--no-entry -Wl,--export=handle)

# --- Build ------------------------------------------------------------------------------

built=0
for dir in "$samples"/*/; do
    dir="${dir%/}"
    [[ -f "$dir/stratus.yaml" ]] || continue  # samples/common holds shared headers, not an app
    name="$(basename "$dir")"
    dest="$dir"
    if [[ -n "$out" ]]; then
        dest="$out/$name"
        mkdir -p "$dest"
        for f in "$dir"/stratus.yaml "$dir"/*.wat; do
            [[ -f "$f" ]] && cp -f "$f" "$dest/"
        done
    fi
    for src in "$dir"/*.c "$dir"/*.cpp; do
        [[ -f "$src" ]] || continue
        wasm="$dest/$(basename "${src%.*}").wasm"
        if grep -Eq '(^|[^[:alnum:]_])main[[:space:]]*\(' "$src"; then
            kind="WASI command"
            extra=()
        else
            kind="native ABI"
            extra=("${native_flags[@]}")
        fi
        if [[ "$src" == *.cpp ]]; then
            echo "building ${wasm#"$repo"/} (C++, $kind) from ${src#"$repo"/}"
            "$cxx" "${cxxflags[@]}" "${extra[@]}" -o "$wasm" "$src" "${cxxldflags[@]}"
        else
            echo "building ${wasm#"$repo"/} ($kind) from ${src#"$repo"/}"
            "$cc" "${cflags[@]}" "${extra[@]}" -o "$wasm" "$src" "${ldflags[@]}"
        fi
        echo "  -> $(wc -c <"$wasm" | tr -d ' ') bytes"
        built=$((built + 1))
    done
done

echo "built $built module(s)"
