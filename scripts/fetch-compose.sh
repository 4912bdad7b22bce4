#!/usr/bin/env bash
# Fetch Docker Compose v2 (Debian sid's docker-compose package) into .odoo/bin/docker-compose,
# so the tests can have the real Compose read every documented layout (`config -q`) on a
# machine without a Docker engine. Download and extract only, like fetch-odoo.sh, whose apt
# lists it reuses. Idempotent: a stamp records a finished extract.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD/.odoo
STAMP=$ROOT/.compose-2
BIN=$ROOT/bin/docker-compose
APTDIR=$ROOT/apt

if [ -f "$STAMP" ] && [ -x "$BIN" ]; then exit 0; fi
[ -f "$APTDIR/sources.list" ] || { echo "fetch-compose: run scripts/fetch-odoo.sh first" >&2; exit 1; }
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$ROOT/bin"
SID="-o Dir::Etc::SourceList=$APTDIR/sources.list -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists=$APTDIR/lists -o Dir::Cache=$APTDIR/cache -o Acquire::Check-Valid-Until=false
  -o APT::Get::List-Cleanup=false -o Debug::NoLocking=true -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-cache $SID show docker-compose >/dev/null 2>&1 || apt-get $SID update -qq
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
(cd "$tmp" && apt-get $SID download -qq docker-compose)
dpkg -x "$tmp"/docker-compose_*.deb "$tmp/root"
install -m 755 "$tmp/root/usr/libexec/docker/cli-plugins/docker-compose" "$BIN"
"$BIN" version | grep -q "version 2\." || { echo "fetch-compose: not Compose v2: $("$BIN" version)" >&2; exit 1; }
touch "$STAMP"
echo "fetch-compose: $("$BIN" version) in $BIN"
