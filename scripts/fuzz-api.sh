#!/usr/bin/env bash
# Fuzzes the admin API from its own OpenAPI document with schemathesis, on a short budget,
# against a real `stratus serve` holding a deployed app and some keys; then checks that the
# server survived and that the app and the keys are intact.
#
#   scripts/fuzz-api.sh [STRATUS_BINARY]      # default .build/debug/stratus
#
# Installs schemathesis with pip when it is missing (and, on Debian, python3 and curl with
# apt-get when they are missing). Exits non-zero, saying what failed, when
# schemathesis finds a server error (5xx) or a response that does not match the document's
# schema, or when the server died, stopped answering, or lost the app or a key.
#
# Knobs (environment):
#   FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 50: about 35 s on 2 cores)
#   FUZZ_SEED          schemathesis's random seed (default: fixed, so CI runs are repeatable)
#   FUZZ_CHECKS        schemathesis checks (default not_a_server_error,response_schema_conformance)
#   FUZZ_TIMEOUT       seconds each of the two schemathesis passes may take at most (default 300),
#                      so that a server that hangs fails the run instead of stalling it
#   FUZZ_KEEP=1        keep the temporary folder (server log, schemathesis reports) afterwards
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bin="${1:-.build/debug/stratus}"
if [[ ! -x "$bin" ]]; then
    echo "fuzz-api: no stratus binary at $bin; build it first (swift build)" >&2
    exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

max_examples="${FUZZ_MAX_EXAMPLES:-50}"
seed="${FUZZ_SEED:-20240611}"
checks="${FUZZ_CHECKS:-not_a_server_error,response_schema_conformance}"
pass_timeout="${FUZZ_TIMEOUT:-300}"

# --- Tools ------------------------------------------------------------------------------

apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" "$@"
}
missing=()
command -v python3 >/dev/null 2>&1 || command -v python >/dev/null 2>&1 || missing+=(python3 python3-pip python3-venv)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[[ ${#missing[@]} -eq 0 ]] || apt_install "${missing[@]}" || true
python="$(command -v python3 || command -v python || true)"
if [[ -z "$python" ]] || ! command -v curl >/dev/null 2>&1; then
    echo "fuzz-api: python3 and curl are needed" >&2
    exit 2
fi
# Where schemathesis goes when the system's Python refuses pip installs (PEP 668).
venv="${XDG_CACHE_HOME:-$HOME/.cache}/stratus/schemathesis-venv"
[[ -x "$venv/bin/schemathesis" ]] && PATH="$venv/bin:$PATH"
if ! command -v schemathesis >/dev/null 2>&1; then
    echo "fuzz-api: installing schemathesis with pip"
    if ! "$python" -m pip install --quiet schemathesis; then
        # Debian's own Python refuses pip installs (PEP 668), or has no pip: a virtual environment.
        echo "fuzz-api: pip install failed; trying a virtual environment in $venv"
        "$python" -m venv "$venv" 2>/dev/null || { apt_install python3-venv && "$python" -m venv "$venv"; } || true
        [[ -x "$venv/bin/pip" ]] && "$venv/bin/pip" install --quiet schemathesis
        PATH="$venv/bin:$PATH"
    fi
    # A --user install (no write access to site-packages) puts the command here.
    PATH="$PATH:$("$python" -m site --user-base)/bin"
    hash -r
fi
if ! command -v schemathesis >/dev/null 2>&1; then
    echo "fuzz-api: schemathesis is still not on PATH after pip install" >&2
    exit 2
fi
echo "fuzz-api: $(schemathesis --version)"

if [[ ! -f samples/hello/hello.wasm ]]; then
    scripts/build-samples.sh
fi

# --- Server -----------------------------------------------------------------------------

work="$(mktemp -d "${TMPDIR:-/tmp}/stratus-fuzz.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -9 "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ "${FUZZ_KEEP:-0}" == 1 ]]; then
        echo "fuzz-api: kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
token="fuzz-$("$python" -c 'import secrets; print(secrets.token_hex(16))')"
base="http://127.0.0.1:$port"

# Other STRATUS_* settings of the caller's shell must not leak into this server or its clients.
for name in $(compgen -e); do
    if [[ "$name" == STRATUS_* ]]; then unset "$name"; fi
done

STRATUS_TOKEN="$token" "$bin" serve --data "$work/data" --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!

up=0
for _ in $(seq 1 200); do
    if curl -fsS -o /dev/null "$base/_stratus/health" 2>/dev/null; then
        up=1
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ "$up" != 1 ]]; then
    echo "fuzz-api: stratus serve did not start on port $port:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
echo "fuzz-api: stratus serve (pid $server_pid) on $base"

"$bin" deploy samples/hello --server "$base" --token "$token"

# Keys the fuzzer must not disturb: plain, nested, with a space, non-ASCII.
keys=("greeting" "orders/1" "orders/2" "with space" "ключ")
values=("hello fuzz" "first order" "second order" "spaced" "значение")
for i in "${!keys[@]}"; do
    "$bin" kv set hello "${keys[$i]}" "${values[$i]}" --server "$base" --token "$token"
done

# The state before the run, to compare with after it.
before_hello="$(curl -sS "$base/hello/x")"
if [[ "$before_hello" != "Hello, x!" ]]; then
    echo "fuzz-api: the deployed hello app answers '$before_hello' before fuzzing (expected 'Hello, x!')" >&2
    exit 1
fi

# --- Fuzz -------------------------------------------------------------------------------

# Two passes, so that the fuzzer can reach the real app and keys without being able to delete
# or overwrite them through the API it is allowed to use (which is no failure of the server):
#  - "generated": every operation, with generated data only (schemathesis otherwise reuses the
#    names it reads in responses, and would DELETE the app and PUT over the keys);
#  - "real-data": every operation but DELETE and PUT, on the app `hello` and its function
#    `hello`, reusing keys from responses and following the links it infers (stateful phase),
#    so hostile data reaches the deployed app, its function and its keys.
# `wait` holds a /_stratus/logs answer for up to a minute by design (a long poll): pinned to 0,
# or every case that draws it would run into the request timeout.
cat >"$work/generated.toml" <<'TOML'
[parameters]
"query.wait" = 0
[phases.examples]
extra-data-sources.responses = false
[phases.coverage]
extra-data-sources.responses = false
[phases.fuzzing]
extra-data-sources.responses = false
TOML
cat >"$work/real-data.toml" <<'TOML'
[parameters]
"path.app" = "hello"
"path.function" = "hello"
"query.wait" = 0
TOML

fuzz_status=0
run_schemathesis() {
    local label="$1"
    shift
    echo "fuzz-api: schemathesis ($label), checks $checks, --max-examples $max_examples, seed $seed"
    local start=$SECONDS status=0
    # From the temporary folder, so schemathesis's reports and caches stay out of the repository.
    (
        cd "$work"
        timeout --kill-after=10 "$pass_timeout" \
        schemathesis --config-file "$work/$label.toml" run "$base/_stratus/openapi.yaml" \
            --url "$base" \
            --header "Authorization: Bearer $token" \
            --checks "$checks" \
            --max-examples "$max_examples" \
            --seed "$seed" \
            --workers 2 \
            --request-timeout 10 \
            --max-failures 10 \
            --generation-database none \
            --suppress-health-check all \
            --no-color \
            --report junit,har --report-dir "$work/report-$label" \
            "$@"
    ) || status=$?
    echo "fuzz-api: schemathesis ($label) finished in $((SECONDS - start)) s with status $status"
    [[ "$status" != 124 && "$status" != 137 ]] || echo "fuzz-api: schemathesis ($label) ran out of its $pass_timeout s" >&2
    [[ "$status" == 0 ]] || fuzz_status=$status
}
run_schemathesis generated --phases examples,coverage,fuzzing
run_schemathesis real-data --exclude-method-regex '^(DELETE|PUT)$'

# --- Survival ---------------------------------------------------------------------------

failures=()
[[ "$fuzz_status" == 0 ]] || failures+=("schemathesis reported failures (exit status $fuzz_status; see above)")

if ! kill -0 "$server_pid" 2>/dev/null; then
    exit_status=0
    wait "$server_pid" || exit_status=$?
    how="exit status $exit_status"
    [[ "$exit_status" -gt 128 ]] && how="signal $((exit_status - 128))"
    failures+=("the server process $server_pid is gone ($how)")
    server_pid=""
else
    health="$(curl -sS -m 10 -w ' %{http_code}' "$base/_stratus/health" 2>&1 || true)"
    [[ "$health" == *'"ok"'*' 200' ]] || failures+=("/_stratus/health answers '$health'")

    hello="$(curl -sS -m 10 "$base/hello/x" 2>&1 || true)"
    [[ "$hello" == "Hello, x!" ]] || failures+=("GET /hello/x answers '$hello' (expected 'Hello, x!')")

    app="$(curl -sS -m 10 -w ' %{http_code}' -H "Authorization: Bearer $token" "$base/_stratus/apps/hello" 2>&1 || true)"
    [[ "$app" == *'"app":"hello"'*'"version":1'*' 200' || "$app" == *'"version":1'*'"app":"hello"'*' 200' ]] \
        || failures+=("GET /_stratus/apps/hello answers '$app' (expected version 1 of the app, as deployed)")

    for i in "${!keys[@]}"; do
        got="$("$bin" kv get hello "${keys[$i]}" --server "$base" --token "$token" 2>&1 | tr -d '\0' || true)"
        [[ "$got" == "${values[$i]}" ]] || failures+=("key '${keys[$i]}' of app hello is '$got' (expected '${values[$i]}')")
    done
fi

crash='Fatal error|Program crashed|Segmentation fault|Illegal instruction|Aborted'
if grep -Eq "$crash" "$work/server.log"; then
    failures+=("the server log shows a crash: $(grep -Em1 "$crash" "$work/server.log")")
fi

if [[ ${#failures[@]} -gt 0 ]]; then
    echo "fuzz-api: FAILED" >&2
    for failure in "${failures[@]}"; do echo "  - $failure" >&2; done
    echo "fuzz-api: last lines of the server log ($work/server.log):" >&2
    tail -n 30 "$work/server.log" >&2 || true
    FUZZ_KEEP=1
    exit 1
fi
echo "fuzz-api: OK: the server is alive, /_stratus/health answers, hello serves /hello/x, ${#keys[@]} keys intact"
