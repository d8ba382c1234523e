#!/usr/bin/env bash
# Sets up a fresh machine, builds Stratus (release) and the samples, and serves them on
# http://127.0.0.1:8080 with the embedded SQLite store in ./stratus-data. Extra arguments
# go to `stratus serve` (for example --port 9000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
scripts/build-samples.sh
scripts/build-rust.sh
scripts/build-js.sh
swift build -c release --product stratus
deploy=()
for manifest in samples/*/stratus.yaml; do
    deploy+=(--deploy "$(dirname "$manifest")")
done
exec .build/release/stratus serve "${deploy[@]}" "$@"
