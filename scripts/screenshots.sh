#!/usr/bin/env bash
# Saves screenshots of the web UI, one a view, in docs/screenshots/ (the README shows them):
# serves the samples on a spare port, sends them some traffic, and has headless Chromium
# draw each view of /_stratus/ui.
#
#   scripts/screenshots.sh [STRATUS_BINARY]     # default .build/debug/stratus
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin="${1:-.build/debug/stratus}"
[[ -x "$bin" ]] || { echo "screenshots: no stratus binary at $bin; build it first (swift build)" >&2; exit 2; }
scripts/setup.sh chromium
[[ -f samples/hello/hello.wasm ]] || scripts/build-samples.sh

work="$(mktemp -d)"
port=18399
token="screenshots"
server="http://127.0.0.1:$port"
deploy=()
for manifest in samples/*/stratus.yaml; do deploy+=(--deploy "$(dirname "$manifest")"); done
STRATUS_TOKEN="$token" "$bin" serve --data "$work/data" --port "$port" "${deploy[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$server/_stratus/health" 2>/dev/null && break; sleep 0.1; done

export STRATUS_SERVER="$server" STRATUS_TOKEN="$token"
"$bin" kv set hello greeting "Bonjour" >/dev/null
"$bin" kv set hello "orders/1" '{"item": "tea", "qty": 2}' >/dev/null
head -c 300000 /dev/urandom | base64 | tr -d '0-9+/=' | tr 'A-Z' ' ' | curl -fsS --data-binary @- "$server/wordcount" >/dev/null
curl -fsS -X POST --data 'Stratus' "$server/uppercase" >/dev/null || true
curl -fsS "$server/hello/missing-route/x" >/dev/null || true
# A steady trickle while the charts view samples /metrics.
( for i in $(seq 1 1500); do curl -fsS -o /dev/null "$server/hello/visitor$i"; sleep "0.00$((i % 9))"; done ) &
traffic=$!

mkdir -p docs/screenshots
for view in apps invocations charts keys dead-letters; do
    # Virtual time runs ahead of the clock, so the charts' rates read low; their shapes are real.
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,760 \
        --virtual-time-budget=$([[ $view == charts ]] && echo 16000 || echo 3000) --screenshot="docs/screenshots/$view.png" \
        "$server/_stratus/ui#token=$token&view=$view&app=hello" 2>/dev/null
    echo "screenshots: docs/screenshots/$view.png"
done
wait $traffic
