from odoo.tests import tagged

from .common import MonitorCase


@tagged("post_install", "-at_install")
class TestAgentPanelNoActivity(MonitorCase):
    def test_agent_without_activity_today_reads_zeros(self):
        panel = self.env["hotline.monitor.live"]._agent_panel(self.board, self.agent2.id)
        figures = panel["figures"]
        for key in ("inbound_answered", "outbound_total", "outbound_answered", "missed_rings", "cases"):
            self.assertEqual(figures[key], 0, key)
        for key in ("talk_in", "talk_out", "signed_in", "paused", "idle"):
            self.assertEqual(figures[key], 0.0, key)
        self.assertEqual(figures["paused_by_reason"], {})
