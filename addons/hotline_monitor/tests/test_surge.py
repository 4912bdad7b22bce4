from datetime import timedelta

import pytz

from odoo import fields
from odoo.tests import tagged

from .common import QUEUE, MonitorCase


@tagged("post_install", "-at_install")
class TestSurge(MonitorCase):
    """Calls of the last 15 minutes against the same weekday-and-hour of the last 4 weeks."""

    def calls(self, start, count, step_seconds=30):
        self.env["hotline.call"].create([{
            "uniqueid": f"surge-{start.isoformat()}-{i}", "pbx_id": self.pbx.id, "queue": QUEUE,
            "direction": "inbound", "enter_time": start + timedelta(seconds=i * step_seconds), "outcome": "answered",
        } for i in range(count)])

    def test_baseline_and_alarm(self):
        now = fields.Datetime.now().replace(microsecond=0)
        tz = self.env.company._hotline_tz()
        local_hour = pytz.utc.localize(now).astimezone(tz).replace(minute=0, second=0, tzinfo=None)
        for week, count in ((1, 8), (2, 16), (3, 24), (4, 32)):
            hour = tz.localize(local_hour - timedelta(weeks=week)).astimezone(pytz.utc).replace(tzinfo=None)
            self.calls(hour, count, step_seconds=100)
        # noise outside the compared hours: a day earlier, and five weeks back
        self.calls(now - timedelta(days=1, minutes=10), 40)
        self.calls(tz.localize(local_hour - timedelta(weeks=5)).astimezone(pytz.utc).replace(tzinfo=None), 40)
        self.calls(now - timedelta(minutes=14), 12)
        surge = self.env["hotline.monitor.live"]._surge([QUEUE], now)[QUEUE]
        # (8 + 16 + 24 + 32) / 4 weeks = 20 calls per hour = 5 per quarter hour
        self.assertEqual(surge, {"last15": 12, "baseline": 5.0})
