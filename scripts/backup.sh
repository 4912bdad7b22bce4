#!/usr/bin/env bash
# Backups of one hotline server (the center, or the units' own server): its PostgreSQL cluster, by a base
# backup plus every archived WAL segment (a restore to any minute, scripts/restore.sh), its file store,
# and a daily logical dump for portability. docs/backup.md explains the layout and the restore.
#
#   backup.sh all          base backup, file store, logical dump, pruning (`make backup`)
#   backup.sh base         pg_basebackup of the whole cluster, verified, then recorded in the database
#   backup.sh filestore    copy the new files of the file store (files are never changed in place)
#   backup.sh dump         pg_dump -Fc of the database and a tarball of its file store
#   backup.sh prune        keep BACKUP_KEEP_DAYS of base backups and dumps, and the WAL they need
#   backup.sh daemon       the schedule: file store every minute, base + dump + prune once a day
#   backup.sh wal SRC DEST PostgreSQL's archive_command: copy one WAL segment, never overwrite
#
# Settings (environment): BACKUP_DIR (default /var/backups/hotline): wal/ base/ filestore/ dump/;
# HOTLINE_DB (hotline): the database whose file store is copied and where results are recorded for the
# health page; FILESTORE (<odoo data_dir>/filestore/$HOTLINE_DB); BACKUP_KEEP_DAYS (14); the cluster
# through libpq: PGHOST, PGPORT, PGUSER, PGPASSWORD (a role with REPLICATION for the base backup).
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/var/backups/hotline}
HOTLINE_DB=${HOTLINE_DB:-hotline}
FILESTORE=${FILESTORE:-/var/lib/odoo/filestore/$HOTLINE_DB}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}

# Debian keeps pg_verifybackup and pg_archivecleanup with the server, out of PATH
major=$(pg_basebackup --version 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\)\..*/\1/p')
[ -z "$major" ] || [ ! -d "/usr/lib/postgresql/$major/bin" ] || PATH=$PATH:/usr/lib/postgresql/$major/bin

log() { echo "backup: $(date -u +%FT%TZ) $*" >&2; }
stamp() { date -u +%Y%m%dT%H%M%SZ; }

# The result of a backup, for the health page (hotline_health reads these keys with SQL: they are written
# here, outside Odoo). value: {"at": UTC time, ...}.
record() {
    local key=$1 json=$2
    psql -X -q -v ON_ERROR_STOP=1 -d "$HOTLINE_DB" -v key="hotline_health.backup_$key" -v value="$json" <<'SQL'
INSERT INTO ir_config_parameter (key, value, create_date, write_date)
VALUES (:'key', :'value', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = EXCLUDED.write_date;
SQL
}

failed() {
    local what=$1
    log "$what FAILED"
    record "${what}_failed" "{\"at\": \"$(date -u '+%F %T')\"}" || true
    exit 1
}

cmd_wal() {
    # archive_command: a segment already archived with the same bytes is success (a retry after a crash);
    # different bytes under the same name is an error PostgreSQL keeps retrying and the health page shows.
    local src=$1 dest=$2
    if [ -e "$dest" ]; then
        cmp -s "$src" "$dest"
        return
    fi
    cp "$src" "$dest.tmp"
    sync "$dest.tmp"
    mv "$dest.tmp" "$dest"
}

cmd_base() {
    mkdir -p "$BACKUP_DIR/base" "$BACKUP_DIR/wal"
    local name; name=$(stamp)
    local dir="$BACKUP_DIR/base/$name"
    log "base backup into $dir"
    # plain format: pg_verifybackup checks every file against the manifest before the backup counts
    if ! pg_basebackup -D "$dir.partial" -Fp -X stream -c fast -l "hotline $name" \
        || ! pg_verifybackup -q "$dir.partial"; then
        rm -rf "$dir.partial"
        failed base
    fi
    mv "$dir.partial" "$dir"
    local bytes; bytes=$(du -sb "$dir" | cut -f1)
    # consistent from the moment pg_basebackup finished: a restore may target any time after this
    echo "$(date -u '+%F %T')" > "$dir/hotline-backup-end"
    record base "{\"at\": \"$(date -u '+%F %T')\", \"name\": \"$name\", \"bytes\": $bytes}" \
        || log "base backup $name not recorded in $HOTLINE_DB: the health page will not see it"
    log "base backup $name done ($bytes bytes)"
}

cmd_filestore() {
    mkdir -p "$BACKUP_DIR/filestore/$HOTLINE_DB"
    [ -d "$FILESTORE" ] || { log "no file store at $FILESTORE"; failed filestore; }
    local started; started=$(date -u '+%F %T')
    # Odoo names a file by its content and never rewrites it: copying what is new is enough, and nothing
    # is deleted here, so the copy holds every file any earlier moment of the database refers to.
    if command -v rsync >/dev/null; then
        rsync -a --ignore-existing "$FILESTORE/" "$BACKUP_DIR/filestore/$HOTLINE_DB/" || failed filestore
    else
        cp -a -n "$FILESTORE/." "$BACKUP_DIR/filestore/$HOTLINE_DB/" || failed filestore
    fi
    # every file committed before `started` is in the copy
    record filestore "{\"at\": \"$started\"}"
}

cmd_dump() {
    mkdir -p "$BACKUP_DIR/dump"
    local name; name="$HOTLINE_DB-$(stamp)"
    log "logical dump $name"
    pg_dump -Fc -d "$HOTLINE_DB" -f "$BACKUP_DIR/dump/$name.dump.partial" || failed dump
    tar -czf "$BACKUP_DIR/dump/$name-filestore.tar.gz" -C "$(dirname "$FILESTORE")" "$(basename "$FILESTORE")" \
        || failed dump
    mv "$BACKUP_DIR/dump/$name.dump.partial" "$BACKUP_DIR/dump/$name.dump"
    record dump "{\"at\": \"$(date -u '+%F %T')\", \"name\": \"$name\"}"
}

cmd_prune() {
    [ -d "$BACKUP_DIR/base" ] || return 0
    find "$BACKUP_DIR/dump" -maxdepth 1 -type f -mtime "+$BACKUP_KEEP_DAYS" -delete 2>/dev/null || true
    mapfile -t bases < <(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d -name '*Z' | sort)
    local keep=() old=() cutoff; cutoff=$(date -u -d "$BACKUP_KEEP_DAYS days ago" +%Y%m%dT%H%M%SZ)
    for b in "${bases[@]}"; do
        if [[ $(basename "$b") < $cutoff ]]; then old+=("$b"); else keep+=("$b"); fi
    done
    # the newest backup always stays, however old
    if [ ${#keep[@]} -eq 0 ] && [ ${#old[@]} -gt 0 ]; then keep=("${old[-1]}"); unset 'old[-1]'; fi
    [ ${#old[@]} -eq 0 ] || rm -rf "${old[@]}"
    [ ${#keep[@]} -gt 0 ] || return 0
    # WAL older than the oldest backup kept can never be replayed
    local first; first=$(sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]*\))$/\1/p' "${keep[0]}/backup_label")
    [ -z "$first" ] || pg_archivecleanup "$BACKUP_DIR/wal" "$first"
}

cmd_daemon() {
    # 18:00 UTC is 02:00 in Beijing, the quietest hour of a center; a missed night is caught up at start
    local hour=${BACKUP_HOUR:-18}
    while true; do
        cmd_filestore || true
        local newest; newest=$(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d -name '*Z' 2>/dev/null \
            | sort | tail -1)
        local due; due=$(date -u -d "$(date -u +%F) $hour:00" +%Y%m%dT%H%M%SZ)
        [ "$(date -u +%H)" -ge "$hour" ] || due=$(date -u -d "yesterday $hour:00" +%Y%m%dT%H%M%SZ)
        if [ -z "$newest" ] || [[ $(basename "$newest") < $due ]]; then
            (cmd_base && cmd_dump && cmd_prune) || true
        fi
        sleep 60
    done
}

case ${1:-} in
    wal) shift; cmd_wal "$@" ;;
    base) cmd_base ;;
    filestore) cmd_filestore ;;
    dump) cmd_dump ;;
    prune) cmd_prune ;;
    all) cmd_base; cmd_filestore; cmd_dump; cmd_prune ;;
    daemon) cmd_daemon ;;
    *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
