import json
import time
import uuid

import requests

from odoo import SUPERUSER_ID, api
from odoo.addons.hotline_case.tests.common import at_once
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

from .standin import signed_headers

SECRET = "并发-secret-77"


@tagged("post_install", "-at_install")
class TestWebhookAtOnce(BaseCase):
    """The platform pushes the same events twice at the same moment (its first call timed out) against the
    running server, in real transactions: each event is stored once and every call gets the documented answer
    (200 with the keys acknowledged, or 409 for the very same signed call), never a 500.

    Unlike the other tests, this one commits; it makes its own counterpart and deletes all it made."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.code = f"race{uuid.uuid4().hex[:8]}"
        cls.addClassCleanup(cls._cleanup)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.counterpart_id = env["hotline.platform.counterpart"].create({
                "name": f"并发平台 {cls.code}", "code": cls.code, "transport": "rest",
                "endpoint": "http://127.0.0.1:9/", "secret": SECRET}).id

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            cr.execute("SELECT case_id FROM hotline_platform_event WHERE counterpart_id = %s AND case_id IS NOT NULL",
                       [cls.counterpart_id])
            cases = [row[0] for row in cr.fetchall()] or [0]
            cr.execute("""
                DELETE FROM hotline_platform_event WHERE counterpart_id = %(counterpart)s;
                DELETE FROM mail_followers WHERE res_model = 'hotline.case' AND res_id = ANY(%(cases)s);
                DELETE FROM mail_message WHERE model = 'hotline.case' AND res_id = ANY(%(cases)s);
                DELETE FROM hotline_case WHERE id = ANY(%(cases)s);
            """, {"counterpart": cls.counterpart_id, "cases": cases})
            api.Environment(cr, SUPERUSER_ID, {})["hotline.platform.counterpart"].browse(cls.counterpart_id).unlink()

    def _events(self, ref):
        return [{"key": f"{ref}:{seq}", "platform_ref": ref, "seq": seq, "kind": "urge",
                 "occurred_at": "2026-12-07T10:00:00+08:00", "payload": {"note": f"催办 {seq}"}} for seq in (1, 2)]

    def _push(self, body, headers):
        url = f"http://127.0.0.1:{config['http_port']}/hotline/platform/{self.code}/events"
        return lambda: requests.post(url, data=body, headers=headers, timeout=120)

    def _stored(self, ref):
        with self.registry.cursor() as cr:
            cr.execute("SELECT sequence, count(*) FROM hotline_platform_event WHERE counterpart_id = %s "
                       "AND platform_ref = %s GROUP BY sequence ORDER BY sequence", [self.counterpart_id, ref])
            return cr.fetchall()

    @staticmethod
    def _statuses(answers):
        return sorted(a.status_code if isinstance(a, requests.Response) else repr(a) for a in answers)

    def test_same_events_signed_twice(self):
        """The platform signed its resend anew: both calls acknowledge both keys."""
        body = json.dumps({"events": self._events("RACE-1")}).encode()
        now = int(time.time())
        answers = at_once(self._push(body, signed_headers(SECRET, body, now)),
                          self._push(body, signed_headers(SECRET, body, now - 1)))
        self.assertEqual(self._statuses(answers), [200, 200], [getattr(a, "text", "")[:300] for a in answers])
        for answer in answers:
            self.assertEqual(sorted(answer.json()["acks"]), ["RACE-1:1", "RACE-1:2"])
        self.assertEqual(self._stored("RACE-1"), [(1, 1), (2, 1)])

    def test_same_call_twice(self):
        """The very same signed call twice: one is taken, the other refused as a replay (409)."""
        body = json.dumps({"events": self._events("RACE-2")}).encode()
        headers = signed_headers(SECRET, body)
        answers = at_once(self._push(body, headers), self._push(body, headers))
        self.assertEqual(self._statuses(answers), [200, 409], [getattr(a, "text", "")[:300] for a in answers])
        self.assertEqual(self._stored("RACE-2"), [(1, 1), (2, 1)])

    def test_contacts_of_the_webhook_and_the_sending_job_do_not_conflict(self):
        """A webhook call commits while the sending job's transaction runs: both note the healthy link, and the
        job's transaction (which holds the events the platform just acknowledged) still commits."""
        def counterpart(cr):
            return api.Environment(cr, SUPERUSER_ID, {})["hotline.platform.counterpart"].browse(self.counterpart_id)

        with self.registry.cursor() as cr:
            counterpart(cr)._contact_ok()
        with self.registry.cursor() as job_cr:
            job = counterpart(job_cr)
            self.assertEqual(job.failures, 0)  # the job's snapshot is taken
            with self.registry.cursor() as webhook_cr:
                counterpart(webhook_cr)._contact_ok()
            job._contact_ok()
            job.env.flush_all()
        with self.registry.cursor() as cr:
            self.assertEqual(counterpart(cr).failures, 0)

    def test_both_noting_the_link_back_at_once_do_not_fail(self):
        """After a failure, the webhook notes the link back and commits while the sending job's transaction,
        which saw the failure, notes it too: the job's update is dropped, not its transaction."""
        def counterpart(cr):
            return api.Environment(cr, SUPERUSER_ID, {})["hotline.platform.counterpart"].browse(self.counterpart_id)

        with self.registry.cursor() as cr:
            counterpart(cr)._contact_failed("timed out")
        with self.registry.cursor() as job_cr:
            job = counterpart(job_cr)
            self.assertEqual(job.failures, 1)  # the job's snapshot is taken
            with self.registry.cursor() as webhook_cr:
                counterpart(webhook_cr)._contact_ok()
            with self.assertNoLogs("odoo.sql_db", "ERROR"):
                job._contact_ok()
            job_cr.execute("SELECT 1")  # the job's transaction is still usable
            job.env["ir.config_parameter"].set_param("hotline_platform.test_job_round", "committed")
        with self.registry.cursor() as cr:
            self.assertEqual((counterpart(cr).failures, counterpart(cr).last_error), (0, False))
            self.assertEqual(cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s",
                                        ["hotline_platform.test_job_round"]) or cr.fetchone()[0], "committed")
            cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", ["hotline_platform.test_job_round"])
