#!/bin/bash
# Streaming replica (service `db-replica`): on first start copy the primary with
# pg_basebackup -R (standby.signal + primary_conninfo), then run as a hot standby.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA" && chown postgres "$PGDATA" && chmod 700 "$PGDATA"
    until gosu postgres env PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h db -U "$POSTGRES_USER" \
            -D "$PGDATA" -R -X stream -c fast; do
        echo "waiting for the primary..."; sleep 2
    done
fi
exec gosu postgres postgres -c hot_standby=on
