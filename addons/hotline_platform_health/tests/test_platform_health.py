from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPlatformHealth(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.counterpart = cls.env["hotline.platform.counterpart"].create({
            "name": "市12345平台", "code": "health", "transport": "rest", "endpoint": "http://127.0.0.1:8359/api",
            "secret": "k"})
        cls.env["hotline.platform.counterpart"].create({"name": "人工转办", "code": "manual_h", "transport": "manual"})

    def rows(self):
        return {row["key"]: row for row in self.env["hotline.health.check"]._probe_platforms()}

    def _event(self, **values):
        return self.env["hotline.platform.event"].sudo().create({
            "counterpart_id": self.counterpart.id, "direction": "out", "platform_ref": "H-1", "kind": "progress",
            "sequence": values.pop("sequence", 1), "state": "pending", **values})

    def test_row_per_platform_follows_lag_failures_and_dead_letters(self):
        rows = self.rows()
        self.assertIn("platform_health", rows)
        self.assertNotIn("platform_manual_h", rows)  # no interface, nothing to watch
        self.assertEqual(rows["platform_health"]["state"], "green")
        event = self._event()
        self.assertEqual(self.rows()["platform_health"]["state"], "green")  # just written
        self.env.cr.execute("UPDATE hotline_platform_event SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(minutes=10), event.id])
        self.assertEqual(self.rows()["platform_health"]["state"], "amber")
        self.env.cr.execute("UPDATE hotline_platform_event SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(hours=1), event.id])
        row = self.rows()["platform_health"]
        self.assertEqual(row["state"], "red")
        words = self.env["hotline.health.check"]._words(row["fact"])
        self.assertIn("1 events to send", words)
        event.write({"state": "sent"})
        self.assertEqual(self.rows()["platform_health"]["state"], "green")
        self._event(sequence=2, state="dead", last_error="拒收")
        self.assertEqual(self.rows()["platform_health"]["state"], "amber")
        self.counterpart.write({"failures": 3, "last_error": "platform unreachable: ConnectionError"})
        row = self.rows()["platform_health"]
        self.assertEqual(row["state"], "red")
        self.assertIn("ConnectionError", self.env["hotline.health.check"]._words(row["fact"]))
        # the row is stored by the every-minute refresh like every other part
        self.env["hotline.health.check"]._refresh()
        stored = self.env["hotline.health.check"].search([("key", "=", "platform_health")])
        self.assertEqual(stored.state, "red")
