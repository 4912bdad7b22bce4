#!/usr/bin/env bash
# `make run`: create the demo database on first use, update the addons when
# their sources changed since the last run, then serve.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-hotline}; PORT=${PORT:-8069}
addons=$(for m in addons/*/__manifest__.py; do basename "$(dirname "$m")"; done | paste -sd,)
stamp=.odoo/run-$DB.sha256
sum=$(find addons -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if ! psql -d "$DB" -tAc 'select 1' >/dev/null 2>&1; then
  echo "run: creating database $DB with demo data (about a minute)"
  scripts/odoo -d "$DB" -i "$addons" --with-demo --load-language=zh_CN --stop-after-init \
    --log-level=warn --http-port "$PORT"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "run: updating the hotline addons in $DB"
  scripts/odoo -d "$DB" -u "$addons" -i "$addons" --stop-after-init --log-level=warn --http-port "$PORT"
fi
echo "$sum" > "$stamp"
cat <<MSG

  12319 hotline on http://127.0.0.1:$PORT  (database $DB)
  Demo logins (password = login):
    admin       系统管理员 (all rights)
    agent       受理员        agent2     受理员
    dispatcher  分理员        reviewer   审核员/班长
    manager     管理员
    water, gas  二级单位内部用户 (internal unit staff)
    portal_water, portal_gas   二级单位门户用户: http://127.0.0.1:$PORT/my

MSG
exec scripts/odoo -d "$DB" --db-filter="^$DB\$" --http-port "$PORT"
