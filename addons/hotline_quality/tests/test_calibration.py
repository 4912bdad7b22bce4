from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import QualityCase


@tagged("post_install", "-at_install")
class TestCalibration(QualityCase):
    """Two inspectors score the same call; the spread per item is the gap between their shares of the item."""

    def test_spread_per_item(self):
        call = self._call(self.agent, "2026-03-10 09:00:00")
        calibration = self.env["hotline.quality.calibration"].with_user(self.reviewer).create({
            "name": "三月校准", "call_id": call.id, "scorecard_id": self.card.id,
            "inspector_ids": [(6, 0, (self.inspector | self.inspector2).ids)]})
        calibration.with_user(self.reviewer).action_start()
        self.assertEqual(len(calibration.review_ids), 2)
        first = calibration.review_ids.filtered(lambda r: r.inspector_id == self.inspector)
        second = calibration.review_ids - first
        self._mark(first, self.inspector, open=10, kb="na", entry=60, taboo=0)
        self._mark(second, self.inspector2, open=5, kb=30, entry=45, taboo=1)
        first.with_user(self.inspector).action_submit()
        with self.assertRaisesRegex(UserError, "Two inspectors"):
            calibration.with_user(self.reviewer).action_done()
        self.assertIn("once two inspectors", calibration.spread_html)
        second.with_user(self.inspector2).action_submit()
        spread = {item.name: (marks, gap) for item, marks, gap in calibration.item_spread()}
        self.assertEqual(spread["开头语含工号"][1], 50.0)  # 100 % vs 50 % of the item
        self.assertIsNone(spread["知识库答复"][1], "N/A for one inspector: no spread")
        self.assertEqual(spread["工单录入准确"][1], 25.0)  # 100 % vs 75 %
        self.assertEqual(spread["服务禁语"][1], 5.0)  # 0 vs 5 points off
        self.assertEqual(spread["与市民争吵"][1], 0.0)
        # scores: 100 and 100 × (5 + 30 + 45) / 100 − 5 = 75
        self.assertEqual(calibration.score_spread, 25.0)
        self.assertIn("o_hotline_quality_spread", calibration.spread_html)
        calibration.with_user(self.reviewer).action_done()
        self.assertEqual(calibration.state, "done")
        # calibration reviews are not appealable and do not count in the agent's figures
        with self.assertRaisesRegex(UserError, "calibration"):
            first.with_user(self.agent).action_appeal("校准不算")
        figures = self.env["hotline.kpi.call"].with_user(self.reviewer).agent_figures("2026-03-01", "2026-03-31")
        self.assertEqual(figures.get(self.agent.id, {}).get("qa_reviews", 0), 0)

    def test_needs_two_inspectors(self):
        call = self._call(self.agent, "2026-03-10 09:00:00")
        calibration = self.env["hotline.quality.calibration"].with_user(self.reviewer).create({
            "name": "单人", "call_id": call.id, "scorecard_id": self.card.id,
            "inspector_ids": [(6, 0, self.inspector.ids)]})
        with self.assertRaisesRegex(ValidationError, "two inspectors"):
            calibration.action_start()
