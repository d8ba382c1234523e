# Sourced by the scripts that build guests for wasm32-wasi: sets `cc` to the toolchain's clang
# (the Swift toolchain's, else one on PATH) and defines `find_rt`, which prints the wasm32
# compiler-rt builtins (from libclang-rt-dev-wasm32), empty if absent.

if [[ -x /opt/swift/usr/bin/clang ]]; then
    cc=/opt/swift/usr/bin/clang
elif command -v clang >/dev/null 2>&1; then
    cc="$(command -v clang)"
else
    echo "error: no clang found (looked for /opt/swift/usr/bin/clang and clang on PATH)" >&2
    exit 1
fi

find_rt() {
    compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a' | sort -V | head -1 || true
}
