import json
from datetime import datetime, timedelta

from odoo import api, fields, models

from .health_message import _lt, at, seconds

# A base backup a day (scripts/backup.sh daemon): one missed is a warning, two a failure.
BASE_WARN, BASE_FAIL = timedelta(hours=26), timedelta(hours=50)
# The file store is copied every minute: a restore brings back the attachments copied before it.
FILESTORE_WARN, FILESTORE_FAIL = timedelta(minutes=10), timedelta(hours=1)
# Completed WAL segments waiting longer than this for the archive: a restore cannot reach the last minutes.
WAL_WAITING_FAIL = timedelta(minutes=5)


class HotlineHealthCheck(models.Model):
    """Backups: the age of the last good base backup (with the file store's copy) and of the last archived
    WAL segment. scripts/backup.sh records its results in system parameters with SQL, outside Odoo: they
    are read here with SQL too, not through the parameters' cache."""

    _inherit = "hotline.health.check"

    @api.model
    def _probes(self):
        return [*super()._probes(), self._probe_backup, self._probe_wal_archive]

    @api.model
    def _backup_record(self, kind):
        """The last result scripts/backup.sh recorded for `kind` (base, filestore, dump, base_failed...)."""
        self.env.cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [f"hotline_health.backup_{kind}"])
        row = self.env.cr.fetchone()
        try:
            value = json.loads(row[0]) if row else {}
            value["at"] = datetime.strptime(value["at"], "%Y-%m-%d %H:%M:%S") if value.get("at") else None
        except (ValueError, TypeError, AttributeError):
            return {}
        return value

    @api.model
    def _probe_backup(self):
        row = {"key": "backup", "sequence": 46, "name": _lt("Backups")}
        now = fields.Datetime.now()
        base, failed = self._backup_record("base"), self._backup_record("base_failed")
        filestore, fs_failed = self._backup_record("filestore"), self._backup_record("filestore_failed")
        if not base.get("at"):
            return [dict(row, state="amber", fact=_lt(
                "No base backup recorded: restores are impossible until `make backup` or the backup service "
                "runs (docs/backup.md)"))]
        age = now - base["at"]
        fs_age = now - filestore["at"] if filestore.get("at") else None
        if failed.get("at") and failed["at"] > base["at"]:
            state = "red"
        elif age > BASE_FAIL or fs_age is None or fs_age > FILESTORE_FAIL:
            state = "red"
        elif age > BASE_WARN or fs_age > FILESTORE_WARN or (fs_failed.get("at") and fs_failed["at"] > filestore["at"]):
            state = "amber"
        else:
            state = "green"
        copied = _lt("%s ago", seconds(fs_age.total_seconds())) if fs_age is not None else _lt("never")
        if failed.get("at") and failed["at"] > base["at"]:
            fact = _lt("The base backup of %(failed)s failed; the last good one is %(age)s old (%(at)s); file store "
                       "copied %(copied)s", failed=at(failed["at"]), age=seconds(age.total_seconds()),
                       at=at(base["at"]), copied=copied)
        else:
            fact = _lt("Last good base backup %(age)s ago (%(at)s, %(size)s); file store copied %(copied)s",
                       age=seconds(age.total_seconds()), at=at(base["at"]), size=self._size(base.get("bytes") or 0),
                       copied=copied)
        return [dict(row, state=state, fact=fact)]

    @api.model
    def _probe_wal_archive(self):
        return [self._wal_archive_row(self._wal_archive_facts(), fields.Datetime.now())]

    @api.model
    def _wal_archive_facts(self):
        """PostgreSQL's archiver: its mode, the last archived and failed segments, the segment being written."""
        cr = self.env.cr
        cr.execute("""SELECT current_setting('archive_mode') AS mode,
                             last_archived_wal AS archived, last_archived_time AT TIME ZONE 'UTC' AS archived_at,
                             last_failed_wal AS failed, last_failed_time AT TIME ZONE 'UTC' AS failed_at,
                             failed_count AS failures,
                             CASE WHEN pg_is_in_recovery() THEN NULL
                                  ELSE pg_walfile_name(pg_current_wal_lsn()) END AS current,
                             (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size') AS segment_size
                        FROM pg_stat_archiver""")
        return cr.dictfetchone()

    @api.model
    def _wal_archive_row(self, facts, now):
        row = {"key": "wal_archive", "sequence": 47, "name": _lt("WAL archive")}
        if facts["mode"] == "off":
            return dict(row, state="amber", fact=_lt(
                "WAL archiving is off: a restore goes back to the last base backup, not to a chosen minute"))
        if facts["failed_at"] and (not facts["archived_at"] or facts["failed_at"] > facts["archived_at"]):
            return dict(row, state="red", fact=_lt(
                "Archiving segment %(wal)s fails since %(at)s (%(count)s failures): check archive_command and the "
                "backup disk", wal=facts["failed"], at=at(facts["failed_at"]), count=facts["failures"]))
        if not facts["archived"]:
            return dict(row, state="amber", fact=_lt("No segment archived yet"))
        age = (now - facts["archived_at"]).total_seconds()
        waiting = 0
        if facts["current"]:  # on a standby the primary's archiver is the one that counts
            size = facts["segment_size"]
            waiting = max(0, self._segment_number(facts["current"], size)
                          - self._segment_number(facts["archived"], size) - 1)
        if waiting and age > WAL_WAITING_FAIL.total_seconds():
            return dict(row, state="red", fact=_lt(
                "%(waiting)s completed segments wait for the archive; last archived %(age)s ago",
                waiting=waiting, age=seconds(age)))
        return dict(row, state="green", fact=_lt(
            "Last segment %(wal)s archived %(age)s ago; %(waiting)s waiting", wal=facts["archived"],
            age=seconds(age), waiting=waiting))

    @staticmethod
    def _segment_number(name, segment_size):
        """The position of a WAL file (timeline, log, segment in hexadecimal) in the WAL."""
        return int(name[8:16], 16) * (0x100000000 // segment_size) + int(name[16:24], 16)
