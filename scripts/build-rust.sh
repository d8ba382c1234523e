#!/usr/bin/env bash
# Builds the Rust guests to WebAssembly, offline, with Debian's Rust toolchain.
#
#   scripts/build-rust.sh
#
# Each samples/NAME/Cargo.toml is a cargo project whose cdylib (crate `rusty` gives
# rusty.wasm) is built for wasm32-wasi, release profile, and copied next to its
# stratus.yaml. Guests depend on the SDK in sdk/rust by path; no crate comes from
# crates.io. A project keeps its Cargo.lock (the build uses --locked; make one with
# `cargo generate-lockfile --offline`). sdk/rust's host unit tests are not run here.
#
# Uses /usr/bin/rustc and /usr/bin/cargo only (a rustup toolchain elsewhere on PATH is
# ignored); installs the Debian packages rustc, cargo, libstd-rust-dev-wasm32 (the Rust
# standard library for wasm32-wasi) and lld-14 (rustc links wasm with rust-lld, a link to
# lld-14) with apt-get when they are missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=wasm32-wasi

if [[ $# -ne 0 ]]; then
    echo "usage: $0" >&2
    exit 2
fi

# --- Toolchain --------------------------------------------------------------------------

missing=()
[[ -x /usr/bin/rustc ]] || missing+=(rustc)
[[ -x /usr/bin/cargo ]] || missing+=(cargo)
[[ -d /usr/lib/rustlib/$target/lib ]] || missing+=(libstd-rust-dev-wasm32)
[[ -x /usr/bin/lld-14 ]] || missing+=(lld-14)
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" ${missing[@]+"${missing[@]}"}

# Debian's tools first, so that cargo runs Debian's rustc and rustc finds rust-lld; nothing
# from a rustup installation (RUSTUP_TOOLCHAIN would redirect its proxies, not ours).
export PATH="/usr/bin:/bin:$PATH"
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
unset RUSTUP_TOOLCHAIN CARGO_BUILD_TARGET CARGO_TARGET_DIR RUSTFLAGS

echo "using $(/usr/bin/rustc --version) and $(/usr/bin/cargo --version), target $target"

# --- Build ------------------------------------------------------------------------------

built=0
for manifest in "$repo"/samples/*/Cargo.toml; do
    [[ -f "$manifest" ]] || continue
    dir="$(dirname "$manifest")"
    name="$(basename "$dir")"
    echo "building samples/$name (cargo, $target, release)"
    # --offline: only path dependencies, never the network; --locked keeps Cargo.lock as committed.
    /usr/bin/cargo build --manifest-path "$manifest" --release --target "$target" --offline --locked
    # Each cdylib of the project (cargo names it after its crate) goes next to stratus.yaml.
    for out in "$dir/target/$target/release"/*.wasm; do
        [[ -f "$out" ]] || continue
        cp -f "$out" "$dir/"
        echo "  -> samples/$name/$(basename "$out"): $(wc -c <"$out" | tr -d ' ') bytes"
        built=$((built + 1))
    done
done

echo "built $built Rust module(s)"
