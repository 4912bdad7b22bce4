from datetime import timedelta

from odoo import fields
from odoo.addons.hotline_sms.tests.common import HotlineSmsCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestSmsHealth(HotlineSmsCommon):

    def row(self):
        return {row["key"]: row for row in self.env["hotline.health.check"]._probe_sms()}["sms"]

    def test_row_follows_the_texts(self):
        self.env["hotline.sms.message"].search([]).unlink()
        self.assertEqual(self.row()["state"], "green")
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        self.assertEqual(self.row()["state"], "green", "just queued: due within the minute")
        message.date_due = fields.Datetime.now() - timedelta(minutes=5)
        self.assertEqual(self.row()["state"], "amber")
        message.date_due = fields.Datetime.now() - timedelta(minutes=20)
        self.assertEqual(self.row()["state"], "red")
        self.assertIn("1", self.row()["fact"])
        # held by the quiet hours: not late
        message.date_due = fields.Datetime.now() + timedelta(hours=8)
        self.assertEqual(self.row()["state"], "green")
        self._send_queue()
        message.write({"uncertain": True, "date_sent": fields.Datetime.now() - timedelta(hours=2)})
        self.assertEqual(self.row()["state"], "amber")
