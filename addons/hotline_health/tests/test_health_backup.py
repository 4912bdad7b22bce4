import json
from datetime import datetime, timedelta

from odoo import fields

from .common import HotlineHealthCommon

NOW = datetime(2026, 12, 7, 6, 0, 0)


class TestHealthBackup(HotlineHealthCommon):
    """The backup rows: what scripts/backup.sh records (SQL upserts of system parameters) and PostgreSQL's
    archiver, worded for the reader."""

    def record(self, kind, at=None, **extra):
        """What scripts/backup.sh's `record` writes, by SQL as the script does (no parameter cache involved)."""
        value = json.dumps({"at": fields.Datetime.to_string(at), **extra}) if at else None
        self.env.cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", [f"hotline_health.backup_{kind}"])
        if value:
            self.env.cr.execute("INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)",
                                [f"hotline_health.backup_{kind}", value])

    def backup_row(self):
        self.Check._refresh()
        return self.row("backup").with_user(self.admin).with_context(lang="en_US")

    def setUp(self):
        super().setUp()
        for kind in ("base", "base_failed", "filestore", "filestore_failed", "dump"):
            self.record(kind)

    def test_no_backup_recorded_is_a_warning(self):
        row = self.backup_row()
        self.assertEqual(row.state, "amber")
        self.assertIn("make backup", row.fact)

    def test_fresh_backup_is_green_and_ages(self):
        now = fields.Datetime.now()
        self.record("base", now - timedelta(hours=3), name="20261207T030000Z", bytes=52 * 1024 * 1024)
        self.record("filestore", now - timedelta(minutes=1))
        row = self.backup_row()
        self.assertEqual(row.state, "green", row.fact)
        self.assertIn("3 h", row.fact)
        self.assertIn("52.0 MB", row.fact)
        # a missed night: a warning; two: a failure, with an incident for the administrators
        self.record("base", now - timedelta(hours=30), name="x", bytes=1)
        self.assertEqual(self.backup_row().state, "amber")
        self.record("base", now - timedelta(hours=60), name="x", bytes=1)
        row = self.backup_row()
        self.assertEqual(row.state, "red")
        self.assertTrue(row.incident_id)
        self.assertIn(self.admin, row.activity_ids.user_id)

    def test_failed_backup_after_the_last_good_one_is_red(self):
        now = fields.Datetime.now()
        self.record("base", now - timedelta(hours=20), name="x", bytes=1)
        self.record("filestore", now - timedelta(minutes=1))
        self.record("base_failed", now - timedelta(hours=1))
        row = self.backup_row()
        self.assertEqual(row.state, "red")
        self.assertIn("failed", row.fact)
        # the next good backup clears it
        self.record("base", now, name="y", bytes=1)
        self.assertEqual(self.backup_row().state, "green")

    def test_file_store_copy_counts(self):
        now = fields.Datetime.now()
        self.record("base", now - timedelta(hours=2), name="x", bytes=1)
        self.assertEqual(self.backup_row().state, "red", "never copied: attachments cannot be restored")
        self.record("filestore", now - timedelta(minutes=20))
        self.assertEqual(self.backup_row().state, "amber")
        self.record("filestore", now - timedelta(hours=2))
        self.assertEqual(self.backup_row().state, "red")

    def test_unreadable_record_is_no_backup(self):
        self.env.cr.execute("INSERT INTO ir_config_parameter (key, value) VALUES ('hotline_health.backup_base', "
                            "'not json')")
        self.assertEqual(self.backup_row().state, "amber")

    def test_backup_row_in_chinese_and_the_center_zone(self):
        self.record("base", datetime(2026, 12, 6, 18, 0, 0), name="x", bytes=1)
        self.Check._refresh()
        row = self.row("backup").with_user(self.admin).with_context(lang="zh_CN", tz="Asia/Shanghai")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_health"], ["zh_CN"], overwrite=True)
        self.assertEqual(row.name, "备份")
        self.assertIn("2026-12-07 02:00:00", row.fact, "the moment in the center's time zone")

    # -- WAL archive ----------------------------------------------------------------------
    def wal(self, **facts):
        values = {"mode": "on", "archived": "000000010000000000000010", "archived_at": NOW - timedelta(seconds=30),
                  "failed": None, "failed_at": None, "failures": 0, "current": "000000010000000000000011",
                  "segment_size": 16 * 1024 * 1024, **facts}
        row = self.Check._wal_archive_row(values, NOW)
        return row["state"], self.Check.with_context(lang="en_US")._words(row["fact"])

    def test_wal_archive_states(self):
        state, fact = self.wal()
        self.assertEqual(state, "green")
        self.assertIn("000000010000000000000010", fact)
        self.assertIn("30 s", fact)
        self.assertEqual(self.wal(mode="off")[0], "amber")
        self.assertEqual(self.wal(archived=None, archived_at=None)[0], "amber")
        # archive_command failing since after the last success
        state, fact = self.wal(failed="000000010000000000000011", failed_at=NOW - timedelta(seconds=5), failures=7)
        self.assertEqual(state, "red")
        self.assertIn("7", fact)
        self.assertEqual(self.wal(failed_at=NOW - timedelta(hours=1), failures=1)[0], "green",
                         "an old failure the archiver has since overcome")
        # completed segments waiting (0x10 archived, 0x15 written: 4 waiting), the archive silent for 10 min
        state, fact = self.wal(current="000000010000000000000015", archived_at=NOW - timedelta(minutes=10))
        self.assertEqual(state, "red")
        self.assertIn("4 completed segments", fact)
        # across a log file boundary: 0/FF archived, 1/01 written -> one waiting, but recently: still green
        self.assertEqual(self.Check._segment_number("0000000100000001000000FF", 16 * 1024 * 1024), 256 + 255)
        self.assertEqual(self.wal(archived="0000000100000001000000FF", current="000000010000000200000001")[0],
                         "green")

    def test_wal_archive_row_of_this_server(self):
        """The live probe reads this cluster's archiver: a row that agrees with archive_mode."""
        self.Check._refresh()
        row = self.row("wal_archive").with_context(lang="en_US")
        self.env.cr.execute("SHOW archive_mode")
        archiving = self.env.cr.fetchone()[0] != "off"
        self.assertEqual("WAL archiving is off" in row.fact, not archiving, row.fact)
        if not archiving:
            self.assertEqual(row.state, "amber")
