#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole test suite: installs the packages, starts PostgreSQL, builds the C
# and Rust samples and the JavaScript runner (the tests run them), builds Stratus with its tests, and runs them, then fuzzes the
# admin API from its OpenAPI document.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh chromium strace   # the web UI is tested in headless Chromium; strace counts the server's fsyncs
# The store conformance and cluster tests run against a real PostgreSQL server.
STRATUS_TEST_POSTGRES="$(scripts/postgres.sh)"
export STRATUS_TEST_POSTGRES
scripts/build-samples.sh
scripts/build-rust.sh
scripts/build-js.sh
swift build --build-tests
# One test at a time: several suites start clusters, browsers and runaway guests, and on two
# cores running them side by side starves the ones that assert on time limits.
swift test --skip-build --no-parallel "$@"
scripts/fuzz-api.sh .build/debug/stratus
