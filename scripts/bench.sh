#!/usr/bin/env bash
# Prints the figures of BENCHMARKS.md: in-process compile and invocation costs, then HTTP
# throughput and latency of the hello route next to a bare route (the health check, no guest)
# on the same server in the same run, and cluster figures on PostgreSQL. Needs wrk and
# PostgreSQL (installed when missing).
#   scripts/bench.sh [SECONDS_PER_WRK_RUN]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"

scripts/setup.sh wrk
# The cluster figures run nodes on a PostgreSQL server of this machine.
STRATUS_BENCH_POSTGRES="$(scripts/postgres.sh)"
export STRATUS_BENCH_POSTGRES
scripts/build-samples.sh >/dev/null
# The Rust guest and the JavaScript runner (guests with 1 MiB of memory and more) have their own builds.
scripts/build-rust.sh >/dev/null
scripts/build-js.sh >/dev/null
swift build -c release --product stratus 2>&1 | tail -1
swift build -c release --product stratus-bench 2>&1 | tail -1

echo "== in process"
.build/release/stratus-bench
echo "== compute next to other engines (same guest, same run)"
python3 scripts/compare-engines.py

echo "== HTTP (wrk -t2 -cN -d${seconds}s, server with its default workers, same machine)"
data="$(mktemp -d)"
port=18181
STRATUS_TOKEN=bench .build/release/stratus serve --data "$data" --port "$port" --deploy samples/hello >"$data/log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/_stratus/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/hello/bench" >/dev/null

# The server's CPU time so far, in clock ticks (user + system, from /proc).
cpu() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
run() { # NAME CONNECTIONS URL: prints a line of figures, appends the req/s to $data/rps
    local before; before=$(cpu)
    wrk -t2 -c"$2" -d"${seconds}s" --latency "$3" >"$data/wrk"
    # CPU per request is steadier than the request rate on a noisy machine: it does not
    # count the time the server waited for a core.
    awk -v name="$1" -v c="$2" -v out="$data/rps" -v ticks=$(( $(cpu) - before )) -v hz="$(getconf CLK_TCK)" '
        /requests in/ { n = $1 }
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 }
        /^ +99%/ { p99 = $2 }
        END { printf "%-28s c%-3s %10s req/s   p50 %8s   p99 %8s   server CPU %5.1f µs/request\n", name, c, rps, p50, p99, ticks / hz * 1e6 / n
              print name, c, rps >> out }' "$data/wrk"
}
# Alternate the two routes so that drift in the machine's speed hits both alike.
for connections in 32 64; do
    for round in 1 2; do
        run "bare route (round $round)" "$connections" "http://127.0.0.1:$port/_stratus/health"
        run "hello route (round $round)" "$connections" "http://127.0.0.1:$port/hello/bench"
    done
done
awk '/^bare/ { bare[$(NF-1)] += $NF } /^hello/ { hello[$(NF-1)] += $NF }
     END { for (c in bare) printf "hello / bare throughput at %s connections: %.2f\n", c, hello[c] / bare[c] }' "$data/rps"
