from datetime import datetime, time, timedelta

import pytz

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestStaffing(TransactionCase):
    """100 calls every day at 10:00-10:30 (AHT 180 s), one agent signed in 10:00-10:30: 14 are needed."""

    def test_erlang_staffing_per_half_hour(self):
        env = self.env
        env.company.resource_calendar_id.tz = "Asia/Shanghai"  # the center's time zone
        env["hotline.agent.pause"].sudo().search([]).unlink()
        env["hotline.agent.session"].sudo().search([]).unlink()
        tz = pytz.timezone("Asia/Shanghai")
        today = fields.Date.context_today(self.env["hotline.call"].with_context(tz="Asia/Shanghai"))
        agent = env.ref("base.user_admin")
        vals, sessions = [], []
        for back in range(1, 8):
            day = today - timedelta(days=back)
            ten = tz.localize(datetime.combine(day, time(10, 0))).astimezone(pytz.utc).replace(tzinfo=None)
            for n in range(100):
                enter = ten + timedelta(seconds=n * 17)
                vals.append({"uniqueid": f"rc-staff-{back}-{n}", "queue": "kpi-staff", "enter_time": enter,
                             "answer_time": enter + timedelta(seconds=5), "end_time": enter + timedelta(seconds=185),
                             "wait_seconds": 5, "talk_seconds": 180, "outcome": "answered", "user_id": agent.id})
            sessions.append({"user_id": agent.id, "interface": "PJSIP/rc-staff", "queue": "kpi-staff",
                             "start": ten, "stop": ten + timedelta(minutes=30)})
        env["hotline.call"].sudo().create(vals)
        env["hotline.agent.session"].sudo().create(sessions)
        report = env["hotline.staffing.report"].create({"weeks": 1, "target_level": 80, "sl_seconds": 20,
                                                        "queue": "kpi-staff"})
        report.action_compute()
        self.assertAlmostEqual(report.aht, 180)
        self.assertEqual(len(report.line_ids), 48)
        ten = report.line_ids.filtered(lambda line: line.name == "10:00")
        self.assertAlmostEqual(ten.calls, 100)
        self.assertAlmostEqual(ten.traffic, 10)
        self.assertEqual(ten.agents_needed, 14)
        self.assertAlmostEqual(ten.agents_signed_in, 1.0)
        self.assertAlmostEqual(ten.gap, 1.0 - 14)
        nine = report.line_ids.filtered(lambda line: line.name == "09:30")
        self.assertEqual((nine.calls, nine.agents_needed, nine.agents_signed_in), (0, 0, 0))
