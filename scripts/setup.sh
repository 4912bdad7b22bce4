#!/usr/bin/env bash
# One-time, idempotent set-up for `make run` and `make test` on Debian/Ubuntu:
# system packages, PostgreSQL and a login role, Odoo 19, the Python venv.
# A second run downloads nothing and takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

# --- System packages (only the missing ones; apt-get update only when needed) ---
pkgs=(postgresql libpq-dev gcc python3-dev python3-venv
      chromium fonts-noto-cjk debootstrap sip-tester nginx-light curl mariadb-server
      opus-tools  # opusenc: call recordings are stored as Opus
      iproute2)  # ip netns: the unit server of tests/exchange in its own network namespace
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Python not from Debian (pyenv, ...) brings its own venv module and headers.
if python3 -c 'import sys; sys.exit(sys.prefix.startswith("/usr") and sys.base_prefix == "/usr")'; then
  missing=("${missing[@]/python3-venv}"); missing=("${missing[@]/python3-dev}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- PostgreSQL: running, with a role for this user ---
if ! pg_isready -q 2>/dev/null; then
  for c in $(ls /etc/postgresql 2>/dev/null); do
    say "starting PostgreSQL $c"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$c" main start || true
  done
  for _ in $(seq 20); do pg_isready -q && break; sleep 0.5; done
  pg_isready -q || { echo "setup: PostgreSQL is not running and could not be started" >&2; exit 1; }
fi
me=${PGUSER:-$(id -un)}
if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  say "creating PostgreSQL role $me"
  $SUDO -u postgres createuser --createdb "$me" 2>/dev/null \
    || su postgres -c "createuser --createdb $me"
fi

# --- MariaDB: the stand-in legacy database of hotline_migration's tests (root over TCP, databases legacy_*) ---
if ! mysqladmin ping -h 127.0.0.1 --silent >/dev/null 2>&1; then
  say "starting MariaDB"
  ($SUDO service mariadb start || $SUDO mysqld_safe --user=mysql >/dev/null 2>&1 &) >/dev/null 2>&1 || true
  for _ in $(seq 30); do mysqladmin ping -h 127.0.0.1 --silent >/dev/null 2>&1 && break; sleep 0.5; done
fi
if ! mysql -uroot -h127.0.0.1 -e 'select 1' >/dev/null 2>&1; then
  say "letting MariaDB's root log in over TCP without password (development machine)"
  $SUDO mysql -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')" || true
fi

# --- Odoo 19 ---
if [ -n "${ODOO_SRC:-}" ]; then
  [ -f "$ODOO_SRC/odoo/release.py" ] || { echo "setup: ODOO_SRC=$ODOO_SRC holds no odoo/release.py" >&2; exit 1; }
  grep -q "version_info = (19," "$ODOO_SRC/odoo/release.py" \
    || { echo "setup: ODOO_SRC is not Odoo 19" >&2; exit 1; }
else
  scripts/fetch-odoo.sh
fi
# Compose v2, only read by tests/test_docker_compose.py (no Docker engine needed)
if [ -f .odoo/apt/sources.list ]; then scripts/fetch-compose.sh; fi

# --- Python venv, reinstalled only when requirements.txt changes ---
req_sum=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$req_sum" ]; then
  say "creating the Python environment in .venv"
  python3 -c 'import sys; assert (3, 10) <= sys.version_info[:2] <= (3, 13), "Odoo 19 needs Python 3.10-3.13"'
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip wheel 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c 'import psycopg2, lxml, werkzeug, asterisk.manager, xlsxwriter' \
    || { echo "setup: the Python environment is incomplete" >&2; exit 1; }
  echo "$req_sum" > .venv/.requirements.sha256
fi
mkdir -p .odoo/data .artefacts
