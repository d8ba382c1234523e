#!/usr/bin/env bash
# Prints the figures of BENCHMARKS.md: in-process compile and invocation costs, then HTTP
# throughput and latency of the hello route next to a bare route (the health check, no guest)
# on the same server in the same run, and cluster figures on PostgreSQL. Needs wrk and
# PostgreSQL (installed when missing).
#   scripts/bench.sh [SECONDS_PER_WRK_RUN] [ROUNDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-2}"
rounds="${2:-10}"

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

echo "== HTTP (wrk -t2 -cN -d${seconds}s, ${rounds} rounds, server with its default workers, same machine)"
data="$(mktemp -d)"
port=18181
STRATUS_TOKEN=bench .build/release/stratus serve --data "$data" --port "$port" --deploy samples/hello >"$data/log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/_stratus/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/hello/bench" >/dev/null

# The server's CPU time so far, in clock ticks (user + system, from /proc).
cpu() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
run() { # ROUTE CONNECTIONS ROUND URL: prints a line of figures and appends them to $data/runs
    local before; before=$(cpu)
    wrk -t2 -c"$2" -d"${seconds}s" --latency "$4" >"$data/wrk"
    # CPU per request is steadier than the request rate on a noisy machine: it does not
    # count the time the server waited for a core.
    awk -v route="$1" -v c="$2" -v round="$3" -v out="$data/runs" -v ticks=$(( $(cpu) - before )) -v hz="$(getconf CLK_TCK)" '
        function ms(v) { return v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v * 1000 }
        /requests in/ { n = $1 }
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 }
        /^ +99%/ { p99 = $2 }
        END { cpu = ticks / hz * 1e6 / n
              printf "%-6s c%-3s round %-2s %10s req/s   p50 %8s   p99 %8s   server CPU %5.1f µs/request\n", route, c, round, rps, p50, p99, cpu
              print route, c, round, rps, ms(p99), cpu >> out }' "$data/wrk"
}
# The two routes alternate in short rounds, so that a change in the machine's speed, which
# here can last seconds, falls on both alike.
for connections in 32 64; do
    for round in $(seq "$rounds"); do
        run bare "$connections" "$round" "http://127.0.0.1:$port/_stratus/health"
        run hello "$connections" "$round" "http://127.0.0.1:$port/hello/bench"
    done
done
python3 - "$data/runs" <<'SUMMARY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    route, c, round_, rps, p99, cpu = line.split()
    runs.setdefault((route, int(c)), []).append((float(rps), float(p99), float(cpu)))
for c in sorted({c for _, c in runs}):
    bare, hello = runs[("bare", c)], runs[("hello", c)]
    pairs = [h[0] / b[0] for b, h in zip(bare, hello)]
    print(f"hello / bare throughput at {c} connections: {sum(h[0] for h in hello) / sum(b[0] for b in bare):.2f} over all rounds "
          f"(per round: median {statistics.median(pairs):.2f}, lowest {min(pairs):.2f}); "
          f"hello p99 median {statistics.median(h[1] for h in hello):.2f} ms, highest {max(h[1] for h in hello):.2f} ms; "
          f"server CPU per request, median: bare {statistics.median(b[2] for b in bare):.1f} µs, hello {statistics.median(h[2] for h in hello):.1f} µs")
SUMMARY
