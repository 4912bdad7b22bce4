from datetime import datetime, timedelta

from odoo.addons.hotline_platform.tests.common import PlatformCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestPlatformFigures(PlatformCommon):
    """The platform's work orders in the figures: a channel of their own in 受理业务统计, and the platform's
    deadline is the one the unit figures count overdue cases by."""

    @classmethod
    def _standin_port(cls):
        return 8359

    def test_channel_and_platform_deadline_in_the_figures(self):
        now = datetime.now()
        phone = self._new_case()
        overdue = self.received_case("FIG-1", deadline=(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
        on_time = self.received_case("FIG-2", deadline=(now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
        for case in overdue | on_time:
            case.with_user(self.dispatcher).action_dispatch()
        # the local rule would give 10 working days: the platform's deadline is kept
        self.assertLess(overdue.deadline, now)
        self.assertTrue(overdue.overdue)
        self.assertFalse(on_time.overdue)

        rows = self.env["hotline.report.case.intake"].read_group(
            [("case_id", "in", (phone | overdue | on_time).ids)], ["channel"], ["channel"])
        counts = {row["channel"]: row["channel_count"] for row in rows}
        self.assertEqual(counts, {"phone": 1, "platform": 2})
        labels = dict(self.env["hotline.report.case.intake"]._fields["channel"]._description_selection(
            self.env(context={"lang": "en_US"})))
        self.assertEqual(labels["platform"], "12345 Platform")

        situation = self.env["hotline.kpi.case"]._situation(now)
        self.assertEqual(situation["received_by_channel"]["platform"],
                         self.env["hotline.case"].search_count([("channel", "=", "platform"),
                                                               ("date_received", ">=", now.replace(hour=0))]))
        self.assertGreaterEqual(situation["overdue"], 1)
