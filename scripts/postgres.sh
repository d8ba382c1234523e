#!/usr/bin/env bash
# Installs PostgreSQL from Debian when it is missing, starts the machine's cluster, and makes a
# database for the tests: prints its URL (postgres://stratus:stratus@127.0.0.1:PORT/stratus_test).
# Idempotent; the test suite reads the URL from STRATUS_TEST_POSTGRES (scripts/test.sh sets it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sudo=()
[[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
# Its output goes to standard error: standard output is the URL.
command -v pg_lsclusters >/dev/null 2>&1 || scripts/apt-install.sh postgresql >&2
# The first cluster Debian made (`main` of the installed version); made if there is none.
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -1) || true
if [[ -z "${version:-}" ]]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    "${sudo[@]}" pg_createcluster "$version" main >&2
    read -r version cluster port status _ < <(pg_lsclusters --no-header | head -1)
fi
if [[ "$status" != online* ]]; then
    "${sudo[@]}" pg_ctlcluster "$version" "$cluster" start >&2
fi
as_postgres() { "${sudo[@]}" -u postgres "$@" 2>/dev/null || su postgres -c "$(printf '%q ' "$@")"; }
psql_admin() { as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -qAt "$@"; }
if [[ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'stratus'")" != 1 ]]; then
    psql_admin -c "CREATE ROLE stratus LOGIN PASSWORD 'stratus' CREATEDB" >&2
fi
if [[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'stratus_test'")" != 1 ]]; then
    psql_admin -c "CREATE DATABASE stratus_test OWNER stratus" >&2
fi
echo "postgres://stratus:stratus@127.0.0.1:$port/stratus_test"
