#!/usr/bin/env bash
# Installs the Debian packages named, when any are given (the build scripts pass the ones they
# found missing): apt-get, with sudo unless root.
set -euo pipefail
[[ $# -gt 0 ]] || exit 0
sudo=()
[[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
echo "installing $*"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
