#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole test suite: installs the packages, builds the C
# samples (the tests run them), builds Stratus with its tests, and runs them, then fuzzes the
# admin API from its OpenAPI document.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh chromium   # the web UI is tested in headless Chromium
scripts/build-samples.sh
swift build --build-tests
swift test --skip-build "$@"
scripts/fuzz-api.sh .build/debug/stratus
