from datetime import timedelta

from odoo import fields
from odoo.addons.hotline_open311.tests.common import Open311Common
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestOpen311Health(Open311Common):

    def row(self):
        return {row["key"]: row for row in self.env["hotline.health.check"]._probe_open311()}["open311"]

    def words(self):
        return self.env["hotline.health.check"]._words(self.row()["fact"])

    def test_row_follows_waiting_requests_and_rate_limits(self):
        self.env["hotline.case"].search([("channel", "=", "open311"), ("state", "=", "draft")]).write(
            {"channel": "phone"})
        self.env["hotline.open311.usage"].sudo().search([]).unlink()
        self.assertEqual(self.row()["state"], "green")
        case = self._case(self._file()["service_request_id"])
        self.assertEqual(self.row()["state"], "green", "just filed")
        self.assertIn("1 waiting for an agent", self.words())
        self.env.cr.execute("UPDATE hotline_case SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(hours=2), case.id])
        case.invalidate_recordset()
        self.assertEqual(self.row()["state"], "amber")
        self.env.cr.execute("UPDATE hotline_case SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(hours=5), case.id])
        case.invalidate_recordset()
        self.assertEqual(self.row()["state"], "red")
        # taken on by an agent: nothing waits
        case.write({"type_id": self.type_complaint.id})
        case.action_transfer()
        self.assertEqual(self.row()["state"], "green")
        # a client over its limit this minute
        self.client_review.rate_limit = 2
        Usage = self.env["hotline.open311.usage"].sudo()
        for _i in range(3):
            Usage._hit(f"client:{self.client_review.id}", 2)
        self.assertEqual(self.row()["state"], "amber")
        self.assertIn("1 client-minutes over the rate limit", self.words())
