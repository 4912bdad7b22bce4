from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.tests import HttpCase, tagged

from .common import QualitySetup


@tagged("post_install", "-at_install")
class TestQualityTour(QualitySetup, HttpCase, HotlineCaseCommon):
    """In Chromium: the inspector scores and submits a call of their queue; the agent appeals the review."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quality()
        cls.agent.name = "受理员丁"
        case = cls._new_case()
        cls.call = cls._call(cls.agent, "2026-03-10 09:00:00", case=case)

    def test_inspector_scores_then_agent_appeals(self):
        review = self.env["hotline.quality.review"].create(
            {"call_id": self.call.id, "scorecard_id": self.card.id, "inspector_id": self.inspector.id,
             "sample_reason": "sample"})
        self.start_tour("/odoo/action-hotline_quality.action_hotline_quality_review_queue",
                        "hotline_quality_inspector_tour", login=self.inspector.login)
        review.invalidate_recordset()
        self.assertEqual(review.state, "submitted")
        self.assertEqual(review.score, 100.0)
        marks = {line.item_id.name: (line.value, line.na) for line in review.line_ids}
        self.assertEqual(marks["开头语含工号"], (10.0, False))
        self.assertEqual(marks["知识库答复"], (0.0, True))
        self.assertEqual(marks["工单录入准确"], (60.0, False))

        self.start_tour("/odoo/action-hotline_quality.action_hotline_quality_review_mine",
                        "hotline_quality_appeal_tour", login=self.agent.login)
        review.invalidate_recordset()
        self.assertEqual(review.state, "appealed")
        self.assertEqual(review.appeal_reason, "录音第15秒已报工号，请复核。")
