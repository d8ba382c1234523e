#!/usr/bin/env bash
# Builds the programs of samples/filters natively, for the host, to compare a deployed
# function's output with the same program's.
#
#   scripts/build-native-filters.sh OUTDIR
#
# Each samples/filters/NAME.c or NAME.cpp becomes OUTDIR/NAME. The compilers are $CC and $CXX,
# else gcc and g++, else cc and c++, else clang and clang++. Run a program as the function
# runs: standard input the body, the app's variables in the environment and no arguments,
# e.g. `env -i GREP_OPTS='-n -i -E' GREP_PATTERN='error|warn' OUTDIR/grep < body`.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src_dir="$repo/samples/filters"
mkdir -p "$1"
out="$(cd "$1" && pwd)"

pick() {
    # The first of the commands given that exists.
    for c in "$@"; do
        if [[ -n "$c" ]] && command -v "$c" >/dev/null 2>&1; then
            echo "$c"
            return
        fi
    done
    echo "error: none of $* found" >&2
    exit 1
}
cc="$(pick "${CC:-}" gcc cc clang)"
cxx="$(pick "${CXX:-}" g++ c++ clang++)"
echo "using $cc and $cxx"

for src in "$src_dir"/*.c "$src_dir"/*.cpp; do
    [[ -f "$src" ]] || continue
    name="$(basename "${src%.*}")"
    echo "building $out/$name from ${src#"$repo"/}"
    if [[ "$src" == *.cpp ]]; then
        "$cxx" -std=c++17 -O2 -Wall -Wextra -o "$out/$name" "$src"
    else
        "$cc" -std=c11 -O2 -Wall -Wextra -o "$out/$name" "$src"
    fi
done
