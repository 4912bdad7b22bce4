import json

from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.addons.hotline_monitor.models.hotline_monitor_live import _snapshot_cache
from odoo.tests import tagged

from .common import channel_with_db, json_dump


@tagged("post_install", "-at_install")
class TestCasePanel(HotlineCaseCommon):
    """实时情况检查 on the board: the reports' situation, pushed to the screens as cases move."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.board = cls.env["hotline.wallboard"].create({"name": "受理大屏"})
        cls.Live = cls.env["hotline.monitor.live"]

    def pushed_panels(self):
        """The case panels the screens received on the board's token channel since the last call."""
        self.env.cr.precommit.run()  # what the commit of the request does
        key = json_dump(channel_with_db(self.env.cr.dbname, self.board.access_token))
        rows = self.env["bus.bus"].sudo().search([("channel", "=", key)], order="id")
        panels = [json.loads(r.message)["payload"] for r in rows]
        rows.unlink()
        return [p["cases"] for p in panels if "cases" in p]

    def test_panel_is_the_reports_situation_and_follows_transitions(self):
        self.pushed_panels()
        before = self.Live._case_panel()
        situation = self.env["hotline.kpi.case"].sudo().situation()
        self.assertEqual(before["received"], situation["received"])
        self.assertEqual(before["overdue"], situation["overdue"])
        self.assertEqual({r["key"]: r["count"] for r in before["open_by_state"]},
                         {k: c for k, c in situation["open_by_state"].items() if c})

        case = self._new_case(unit_id=self.unit_a.id)
        panels = self.pushed_panels()
        self.assertEqual(len(panels), 1, "one push per transaction")
        self.assertEqual(panels[0]["received"], before["received"] + 1)

        case.with_user(self.agent).action_self_dispatch()
        panels = self.pushed_panels()
        self.assertEqual(len(panels), 1)
        states = {r["key"]: r["count"] for r in panels[0]["open_by_state"]}
        self.assertEqual(states.get("dispatched", 0),
                         situation["open_by_state"].get("dispatched", 0) + 1)
        outcomes = {r["key"]: r["count"] for r in panels[0]["by_outcome"]}
        self.assertGreaterEqual(outcomes.get("self_dispatch", 0), 1)
        # the board's own snapshot agrees with what was pushed
        _snapshot_cache.clear()
        self.assertEqual(self.Live._snapshot(self.board)["cases"], panels[0])

        # an edit that is not about the burst groups pushes nothing
        case.sudo().write({"description": "补充：楼上也停水。"})
        self.assertEqual(self.pushed_panels(), [])
