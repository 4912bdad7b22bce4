#!/usr/bin/env bash
# Restore a hotline server's PostgreSQL cluster to a point in time from scripts/backup.sh's backups, and its
# file store. docs/backup.md walks through a whole restore.
#
#   restore.sh --target '2026-12-07 14:32:00+08' --pgdata DIR [--filestore-to DIR] [--backup-dir DIR]
#              [--db NAME]
#
# --target   the moment to restore to (a time with its zone): every transaction committed up to it is
#            kept, none after it. "latest" replays every archived segment.
# --pgdata   an EMPTY data directory of a stopped cluster of the same PostgreSQL major version (Debian:
#            pg_createcluster, then empty /var/lib/postgresql/<v>/<name>); the files are handed to its owner.
# --filestore-to  where the database's file store goes (<odoo data_dir>/filestore/<db>)
# The newest base backup finished before the target is used. The cluster then starts (pg_ctlcluster / the
# container), replays the WAL archive up to the target and opens for writing on a new timeline; WAL
# archiving stays off in the restored copy until the site turns it back on (it would mix its segments
# with the original's). Restoring to a minute that is not archived yet fails at start-up ("recovery ended
# before configured recovery target was reached"): on a live server run `SELECT pg_switch_wal()` first.
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/var/backups/hotline}
DB=${HOTLINE_DB:-hotline}
TARGET="" PGDATA_DIR="" FILESTORE_TO=""
while [ $# -gt 0 ]; do
    case $1 in
        --target) TARGET=$2; shift 2 ;;
        --pgdata) PGDATA_DIR=$2; shift 2 ;;
        --filestore-to) FILESTORE_TO=$2; shift 2 ;;
        --backup-dir) BACKUP_DIR=$2; shift 2 ;;
        --db) DB=$2; shift 2 ;;
        *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
die() { echo "restore: $*" >&2; exit 1; }
[ -n "$TARGET" ] && [ -n "$PGDATA_DIR" ] || die "--target and --pgdata are required"
[ -d "$PGDATA_DIR" ] || die "$PGDATA_DIR does not exist"
[ -z "$(ls -A "$PGDATA_DIR")" ] || die "$PGDATA_DIR is not empty"

# the newest base backup finished before the target (UTC stamps, compared in PostgreSQL's own terms)
base=""
if [ "$TARGET" = latest ]; then
    base=$(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d -name '*Z' | sort | tail -1)
else
    target_utc=$(date -u -d "$TARGET" '+%F %T') || die "cannot read the target time: $TARGET"
    for dir in $(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d -name '*Z' | sort); do
        [ -f "$dir/hotline-backup-end" ] || continue
        if [[ $(cat "$dir/hotline-backup-end") < $target_utc || $(cat "$dir/hotline-backup-end") == "$target_utc" ]]; then
            base=$dir
        fi
    done
fi
[ -n "$base" ] || die "no base backup in $BACKUP_DIR/base finished before $TARGET"
echo "restore: base backup $(basename "$base"), WAL from $BACKUP_DIR/wal, target $TARGET" >&2

# the cluster's owner (postgres) runs the files; cp -a gives the directory the backup's owner
owner=$(stat -c %U:%G "$PGDATA_DIR")
cp -a "$base/." "$PGDATA_DIR/"
rm -f "$PGDATA_DIR/hotline-backup-end" "$PGDATA_DIR/backup_manifest"
touch "$PGDATA_DIR/recovery.signal"
# Replaying refuses to start below the original's max_connections, max_wal_senders...: the backup's
# control file holds them, they become the restored server's floor.
PATH=$PATH:/usr/lib/postgresql/$(cat "$PGDATA_DIR/PG_VERSION")/bin  # Debian keeps pg_controldata there
controls=$(pg_controldata "$PGDATA_DIR")
setting() { sed -n "s/^$1 setting: *\([0-9]*\)$/\1/p" <<<"$controls"; }
{
    echo "# scripts/restore.sh: the original's settings replay needs, then point-in-time recovery"
    echo "max_connections = $(setting max_connections)"
    echo "max_worker_processes = $(setting max_worker_processes)"
    echo "max_wal_senders = $(setting max_wal_senders)"
    echo "max_prepared_transactions = $(setting max_prepared_xacts)"
    echo "max_locks_per_transaction = $(setting max_locks_per_xact)"
    echo "restore_command = 'cp $BACKUP_DIR/wal/%f %p'"
    [ "$TARGET" = latest ] || echo "recovery_target_time = '$TARGET'"
    echo "recovery_target_action = 'promote'"
    echo "archive_mode = 'off'"
} >> "$PGDATA_DIR/postgresql.auto.conf"
chown -R "$owner" "$PGDATA_DIR"
chmod 700 "$PGDATA_DIR"

if [ -n "$FILESTORE_TO" ]; then
    [ -d "$BACKUP_DIR/filestore/$DB" ] || die "no file store copy in $BACKUP_DIR/filestore/$DB"
    mkdir -p "$FILESTORE_TO"
    # a superset of the files at the target (nothing is deleted from the copy); Odoo's file store garbage
    # collection removes the ones no attachment refers to
    cp -a "$BACKUP_DIR/filestore/$DB/." "$FILESTORE_TO/"
fi
echo "restore: ready; start the cluster, it replays to the target and opens" >&2
