#!/usr/bin/env bash
# Soak: the hello sample under steady load, in rounds that alternate between calm (hello alone)
# and two runaway functions hammered beside it (one loops, one grows its memory a page at a
# time, each with a 300 ms limit). Prints each round's hello p50 and p99 and, at the end, the
# medians of the two kinds of round and their ratio (issue 21's goal: runaway p99 at most twice
# the calm p99). Alternating rounds puts a change in the machine's speed on both kinds alike.
#   scripts/soak.sh [SECONDS_PER_ROUND] [ROUNDS_OF_EACH_KIND]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"
rounds="${2:-6}"

scripts/setup.sh wrk
scripts/build-samples.sh >/dev/null
swift build -c release --product stratus 2>&1 | tail -1

data="$(mktemp -d)"
port=18282
for app in spin grow; do
    mkdir -p "$data/apps/$app"
    body='(loop $l (br $l))'
    [[ $app == grow ]] && body='(loop $l (drop (memory.grow (i32.const 1))) (br $l))'
    printf '(module (memory (export "memory") 1) (func (export "handle") %s))\n' "$body" >"$data/apps/$app/run.wat"
    printf 'app: %s\nfunctions:\n  run:\n    module: run.wat\n    http:\n      - GET /%s\n    limits:\n      timeout_ms: 300\n' \
        "$app" "$app" >"$data/apps/$app/stratus.yaml"
done
STRATUS_TOKEN=soak .build/release/stratus serve --data "$data/state" --port "$port" --deploy samples/hello \
    --deploy "$data/apps/spin" --deploy "$data/apps/grow" >"$data/log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/_stratus/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/hello/soak" >/dev/null

round() { # KIND NUMBER: hello under load for a round, with the runaways hammered when KIND is runaway
    local pids=()
    if [[ $1 == runaway ]]; then
        for route in spin grow; do
            wrk -t1 -c4 -d"$((seconds + 1))s" "http://127.0.0.1:$port/$route" >"$data/$route.wrk" 2>&1 &
            pids+=($!)
        done
        sleep 0.5
    fi
    wrk -t1 -c4 -d"${seconds}s" --latency "http://127.0.0.1:$port/hello/soak" >"$data/hello.wrk"
    [[ ${#pids[@]} -eq 0 ]] || wait "${pids[@]}"
    awk -v kind="$1" -v n="$2" -v out="$data/rounds" '
        function ms(v) { return v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v * 1000 }
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 }
        /^ +99%/ { p99 = $2 }
        END { printf "%-8s round %-2s %10s req/s   p50 %8s   p99 %8s\n", kind, n, rps, p50, p99
              print kind, ms(p50), ms(p99) >> out }' "$data/hello.wrk"
}

echo "== hello (wrk -t1 -c4, ${seconds}s rounds) alone and beside two runaway functions (wrk -t1 -c4 each)"
for n in $(seq "$rounds"); do
    round calm "$n"
    round runaway "$n"
done
awk '
    function median(list, count,   i, j, t) {
        for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
        return count % 2 ? list[(count + 1) / 2] : (list[count / 2] + list[count / 2 + 1]) / 2
    }
    { c[$1]++; p50[$1, c[$1]] = $2; p99[$1, c[$1]] = $3 }
    END {
        for (kind in c) {
            for (i = 1; i <= c[kind]; i++) { a[i] = p50[kind, i]; b[i] = p99[kind, i] }
            m50[kind] = median(a, c[kind]); m99[kind] = median(b, c[kind])
            printf "%-8s median of %d rounds: p50 %.2f ms, p99 %.2f ms\n", kind, c[kind], m50[kind], m99[kind]
        }
        printf "runaway / calm: p50 %.2f, p99 %.2f\n", m50["runaway"] / m50["calm"], m99["runaway"] / m99["calm"]
    }' "$data/rounds"
