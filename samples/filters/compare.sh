#!/usr/bin/env bash
# Compares each deployed function of a filters app with the same program built natively:
# POSTs every input file to the function's route and runs the native program on the same
# input with the app's variables as its only environment, then compares byte for byte. A
# program that exits non-zero must answer 500 (Stratus's guest_exit); its body is not compared.
#
#   samples/filters/compare.sh [-s SERVER] [-a APP_DIR] NATIVE_DIR FILE...
#
# SERVER defaults to $STRATUS_SERVER, else http://127.0.0.1:8080; APP_DIR to this folder
# (its stratus.yaml gives the variables and each function's first POST route); NATIVE_DIR
# is the output of scripts/build-native-filters.sh. Variable values are read as plain,
# '...' or "..." YAML scalars without escapes. Ends with "N passed, N failed".
set -euo pipefail

server="${STRATUS_SERVER:-http://127.0.0.1:8080}"
app_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
while getopts s:a: opt; do
    case "$opt" in
    s) server="$OPTARG" ;;
    a) app_dir="$OPTARG" ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [[ $# -lt 2 ]]; then
    echo "usage: $0 [-s SERVER] [-a APP_DIR] NATIVE_DIR FILE..." >&2
    exit 2
fi
native="$1"
shift
manifest="$app_dir/stratus.yaml"

# KEY=VALUE lines of the manifest's variables.
mapfile -t vars < <(awk '
    /^[^ #]/ { in_vars = ($0 ~ /^variables:/); next }
    in_vars && /^  [A-Za-z0-9_]+:/ {
        line = $0; sub(/^  /, "", line)
        key = line; sub(/:.*/, "", key)
        value = line; sub(/^[^:]*:[ ]*/, "", value)
        if (value ~ /^"/) { sub(/^"/, "", value); sub(/".*$/, "", value) }
        else if (value ~ /^'\''/) { sub(/^'\''/, "", value); sub(/'\''[^'\'']*$/, "", value); gsub(/'\'''\''/, "'\''", value) }
        else { sub(/[ ]+#.*$/, "", value); sub(/[ ]+$/, "", value) }
        print key "=" value
    }' "$manifest")

# NAME PATH for each function: its module's base name and its first POST route.
mapfile -t routes < <(awk '
    /^[^ #]/ { in_fns = ($0 ~ /^functions:/); next }
    in_fns && /^  [a-z0-9-]+:/ { fn = $1; sub(/:$/, "", fn); module = ""; route = "" }
    in_fns && /^    module:/ { module = $2; sub(/\.wasm$/, "", module) }
    in_fns && /- POST \// && route == "" { route = $3; print module " " route }' "$manifest")

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for entry in "${routes[@]}"; do
    name="${entry%% *}"
    path="${entry#* }"
    for input in "$@"; do
        status="$(curl -s -o "$tmp/remote" -w '%{http_code}' --data-binary @"$input" \
            -H 'Content-Type: application/octet-stream' "$server$path")"
        set +e
        env -i "${vars[@]}" "$native/$name" <"$input" >"$tmp/local" 2>"$tmp/stderr"
        rc=$?
        set -e
        what="$name $(basename "$input") (HTTP $status, exit $rc, $(wc -c <"$tmp/local" | tr -d ' ') bytes)"
        if [[ $rc -ne 0 && $status == 500 ]] || { [[ $rc -eq 0 && $status == 200 ]] && cmp -s "$tmp/local" "$tmp/remote"; }; then
            echo "same    $what"
            passed=$((passed + 1))
        else
            echo "DIFFERS $what"
            cmp "$tmp/local" "$tmp/remote" || true
            failed=$((failed + 1))
        fi
    done
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
