import json
import socket
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.addons.base.models.ir_cron import CompletionStatus
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import config

from .common import HotlineHealthCommon


@tagged("post_install", "-at_install")
class TestHealthChecks(HotlineHealthCommon):
    def admin_activities(self, check):
        return check.activity_ids.filtered(lambda a: a.user_id == self.admin)

    def test_bridge_silent_while_agents_signed_in_warns_once_then_recovers(self):
        self.Check._refresh()
        bridge = self.row(f"bridge:{self.pbx.id}")
        self.assertEqual(bridge.state, "amber", "never started, nobody signed in: a warning, not a failure")

        self.report("connected")
        self.sign_in()
        self.Check._refresh()
        self.assertEqual(bridge.state, "green")
        self.assertIn("1", bridge.fact)

        silent_since = fields.Datetime.now() - timedelta(seconds=self.Check._bridge_silence() + 5)
        self.pbx.bridge_heartbeat = silent_since
        self.Check._refresh()
        self.assertEqual(bridge.state, "red")
        self.assertIn("1", bridge.fact)
        incident = bridge.incident_id
        self.assertEqual((incident.kind, incident.stop), ("incident", False))
        self.assertEqual(len(self.admin_activities(bridge)), 1)
        self.Check._refresh()
        self.Check._refresh()
        self.env.cr.precommit.run()  # bus notifications are written at commit
        channel = f'"res.partner",{self.admin.partner_id.id}]'
        notified = self.env["bus.bus"].sudo().search([("message", "like", "simple_notification"),
                                                      ("channel", "like", channel)])
        self.assertEqual(len(notified), 1, "the administrator is notified over the bus once")
        self.assertEqual(len(self.admin_activities(bridge)), 1, "one warning per incident, not per check")
        self.assertEqual(self.env["hotline.health.event"].search_count([("kind", "=", "incident")]), 1)

        # A new bridge process starts and catches up 12 queue_log facts.
        self.report("connected", pid=5151, caught_up=12)
        recovery = self.env["hotline.health.event"].search([("kind", "=", "recovery")])
        self.assertEqual(len(recovery), 1)
        self.assertEqual(recovery.caught_up, 12)
        self.assertEqual(recovery.start, silent_since)
        self.Check._refresh()
        self.assertEqual(bridge.state, "green")
        self.assertTrue(incident.stop, "the incident closes when the row leaves red")
        self.assertFalse(bridge.activity_ids, "the warning activity is marked done")
        self.assertTrue(bridge.message_ids.filtered(lambda m: "Recovered" in (m.body or "")
                                                    or "恢复" in (m.body or "")))

    def test_bridge_down_without_agents_is_only_a_warning(self):
        self.report("connected")
        self.report("stopped")
        self.pbx.bridge_heartbeat = fields.Datetime.now() - timedelta(hours=2)
        self.Check._refresh()
        bridge = self.row(f"bridge:{self.pbx.id}")
        self.assertEqual(bridge.state, "amber")
        self.assertFalse(bridge.activity_ids)

    def test_recovery_entry_only_when_the_bridge_was_down(self):
        Event = self.env["hotline.health.event"]
        self.report("connected")
        self.report("connected")
        self.assertFalse(Event.search([]), "first start and heartbeats are not recoveries")
        self.report("disconnected")
        self.report("connected", caught_up=3)
        self.assertEqual(Event.search([]).mapped("caught_up"), [3], "a reconnect of the same process")
        self.report("connected", pid=9999)
        self.assertEqual(len(Event.search([])), 2, "a new process after a crash that said nothing")

    def test_catch_up_and_screen_pop_rows(self):
        self.report("connected", backfill_at=fields.Datetime.now().timestamp() - 3600, pop_p95_ms=800)
        self.pbx.bridge_backfill_time = fields.Datetime.now() - timedelta(minutes=10)
        self.Check._refresh()
        self.assertEqual(self.row(f"catchup:{self.pbx.id}").state, "red")
        self.assertEqual(self.row(f"pop:{self.pbx.id}").state, "red")
        self.report("connected", pop_p95_ms=90, queue_log_lag=10)
        self.Check._refresh()
        self.assertEqual(self.row(f"catchup:{self.pbx.id}").state, "green")
        self.assertEqual(self.row(f"pop:{self.pbx.id}").state, "green")

    def test_failing_cron_turns_red_on_the_second_failure(self):
        cron = self.env.ref("hotline_health.ir_cron_health_refresh")
        self.Check._refresh()
        row = self.row(f"cron:{cron.id}")
        self.assertEqual(row.state, "green")
        for expected in ("amber", "red"):
            job = cron.read(["failure_count", "first_failure_date", "active", "cron_name"])[0]
            self.env["ir.cron"]._update_failure_count(job, CompletionStatus.FAILED)  # the cron runner's own path
            cron.invalidate_recordset()
            self.Check._refresh()
            self.assertEqual(row.state, expected)
        self.assertIn("2", row.fact)
        self.assertEqual(len(self.admin_activities(row)), 1)

    def test_failing_mail_shows(self):
        self.Check._refresh()
        row = self.row("mail")
        self.assertEqual(row.state, "green")
        mails = self.env["mail.mail"].create([{"subject": f"催办 {n}", "email_to": "unit@example.com",
                                               "body_html": "<p>x</p>"} for n in range(3)])
        # What mail.mail.send() records when the SMTP server refuses.
        mails[0].write({"state": "exception", "failure_reason": "SMTP 550", "failure_type": "mail_smtp"})
        self.Check._refresh()
        self.assertEqual(row.state, "amber")
        self.assertIn("1", row.fact)
        mails.write({"state": "exception", "failure_reason": "SMTP 550", "failure_type": "mail_smtp"})
        self.Check._refresh()
        self.assertEqual(row.state, "red")

    def test_only_administrators_read_health(self):
        self.Check._refresh()
        for user in (self.agent, self.manager):
            with self.assertRaises(AccessError):
                self.Check.with_user(user).search([]).read(["fact"])
            with self.assertRaises(AccessError):
                self.env["hotline.health.event"].with_user(user).search([])
        self.assertTrue(self.Check.with_user(self.admin).search([]))

    def test_replica_row_only_when_one_is_configured(self):
        self.Check._refresh()
        self.assertFalse(self.row("replica"), "no replica configured, no row")
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with patch.dict(config._runtime_options, {"db_replica_host": "127.0.0.1", "db_replica_port": port}):
            self.Check._refresh()
        replica = self.row("replica")
        self.assertEqual(replica.state, "red")
        self.assertIn(str(port), replica.fact)
        self.assertEqual(len(self.admin_activities(replica)), 1)


@tagged("post_install", "-at_install")
class TestHealthWords(HotlineHealthCommon):
    """The job stores facts; every reader gets them in their language and time zone, whoever refreshed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["hotline_health"], ["zh_CN"], overwrite=True)
        cls.admin.lang = "zh_CN"
        cls.env.company.resource_calendar_id.tz = "Asia/Shanghai"

    def test_the_job_stores_facts_the_reader_gets_words(self):
        # connected at 2026-12-06 16:00:00 UTC, midnight in Beijing
        self.report("connected", connected_since=datetime(2026, 12, 6, 16, 0, tzinfo=UTC).timestamp())
        # what the every-minute job does: no user's language, no time zone
        self.Check.with_context(lang=None, tz=None)._refresh()
        row = self.row(f"bridge:{self.pbx.id}")
        # a fact (the message's source and its UTC moment), no rendered time or language
        self.assertNotIn("2026-12-07", json.dumps(row.fact_message))
        self.assertEqual(row.fact_message["args"]["since"], {"at": "2026-12-06 16:00:00"})
        as_admin = row.with_user(self.admin).with_context(lang="zh_CN", tz="Asia/Shanghai")
        self.assertTrue(as_admin.name.startswith("AMI 网桥") or "测试交换机" in as_admin.name, as_admin.name)
        self.assertIn("2026-12-07 00:00:00", as_admin.fact)
        self.assertNotIn("Connected", as_admin.fact)
        in_english = row.with_context(lang="en_US", tz="UTC")
        self.assertIn("Connected since 2026-12-06 16:00:00", in_english.fact)
        # a scheduled job's row: its name is the reader's too
        cron_row = self.Check.search([("key", "=like", "cron:%")], limit=1)
        cron = self.env["ir.cron"].browse(int(cron_row.key.split(":")[1]))
        self.assertIn(cron.with_context(lang="zh_CN").name, cron_row.with_context(lang="zh_CN").name)
        self.assertNotIn("Scheduled job", cron_row.with_context(lang="zh_CN").name)
        # found by the words the reader reads
        self.assertIn(row, self.Check.with_context(lang="en_US").search([("name", "ilike", "AMI bridge")]))

    def test_incident_and_administrators_activity_in_their_language(self):
        self.report("connected")
        self.sign_in()
        self.Check.with_context(lang=None, tz=None)._refresh()
        self.pbx.bridge_heartbeat = fields.Datetime.now() - timedelta(seconds=self.Check._bridge_silence() + 5)
        self.Check.with_context(lang=None, tz=None)._refresh()
        row = self.row(f"bridge:{self.pbx.id}")
        self.assertEqual(row.state, "red")
        activity = row.activity_ids.filtered(lambda a: a.user_id == self.admin)
        self.assertEqual(len(activity), 1)
        self.assertNotIn("failing", activity.summary)
        self.assertNotIn("No heartbeat", str(activity.note))
        self.assertEqual(activity.summary, "系统监控：AMI 桥接：测试交换机 故障")
        incident = row.incident_id.with_context(lang="zh_CN")
        self.assertNotIn("No heartbeat", incident.detail)
        self.assertIn("No heartbeat", incident.with_context(lang="en_US").detail)
        self.assertIn("测试交换机", incident.name)
