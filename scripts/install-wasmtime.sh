#!/usr/bin/env bash
# Installs wasmtime's C library, which Stratus's compiling engine tier loads at run time, as
# /usr/local/lib/stratus/libwasmtime.so (~/.local/lib/stratus/ when /usr/local/lib is not
# writable), or the path given. Debian has no wasmtime package:
# the library comes from PyPI's `wasmtime` wheel, which carries it as
# wasmtime/<platform>/_libwasmtime.so. Idempotent; without it Stratus runs on WasmKit alone.
#   scripts/install-wasmtime.sh [DESTINATION]
set -euo pipefail
if [[ -w /usr/local/lib ]]; then default=/usr/local/lib/stratus/libwasmtime.so; else default="$HOME/.local/lib/stratus/libwasmtime.so"; fi
destination="${1:-$default}"
version="49.0.0"
[[ -f "$destination" ]] && exit 0
case "$(uname -m)" in
    x86_64) platform=linux-x86_64 wheel=manylinux1_x86_64 ;;
    aarch64) platform=linux-aarch64 wheel=manylinux2014_aarch64 ;;
    *) echo "install-wasmtime: no wasmtime wheel for $(uname -m); Stratus will run on WasmKit" >&2; exit 0 ;;
esac
python3 -m pip --version >/dev/null 2>&1 || "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" python3-pip
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "$wheel" --dest "$work" "wasmtime==$version"
mkdir -p "$(dirname "$destination")"
python3 - "$work"/wasmtime-*.whl "wasmtime/$platform/_libwasmtime.so" "$destination" <<'UNPACK'
import shutil, sys, zipfile
wheel, member, destination = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(destination + ".tmp", "wb") as target:
    shutil.copyfileobj(source, target)
shutil.move(destination + ".tmp", destination)
UNPACK
echo "install-wasmtime: wasmtime $version's C library is at $destination"
