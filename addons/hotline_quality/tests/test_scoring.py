from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import QualityCase


@tagged("post_install", "-at_install")
class TestScoring(QualityCase):
    """Known answers of the scorecard's definition (weights 10 / 30 N/A-able / 60, −5 per 服务禁语, a 致命项)."""

    def setUp(self):
        super().setUp()
        self.call = self._call(self.agent, "2026-03-10 09:00:00")

    def test_full_marks(self):
        review = self._review(self.call, open=10, kb=30, entry=60)
        self.assertEqual(review.score, 100.0)
        self.assertFalse(review.band_id, "a draft has no band yet")
        review.with_user(self.inspector).action_submit()
        self.assertEqual(review.band_id.name, "优秀")

    def test_fatal_item_zeroes_the_review(self):
        review = self._review(self.call, open=10, kb=30, entry=60, fatal=True)
        self.assertEqual(review.score, 0.0)
        self.assertTrue(review.fatal)
        review.with_user(self.inspector).action_submit()
        self.assertEqual(review.band_id.name, "不合格")
        self.assertFalse(review.band_id.passing)

    def test_na_item_reweights_the_others(self):
        # 100 × (5 + 60) / (10 + 60) = 92.857…: the N/A item's 30 points leave the denominator
        review = self._review(self.call, open=5, kb="na", entry=60)
        self.assertAlmostEqual(review.score, 92.86, places=2)
        self.assertEqual(self.card.band_for(review.score).name, "优秀")
        # the same marks with the item scored 0 instead of N/A: 65 of 100, 合格
        other = self._review(self._call(self.agent, "2026-03-10 10:00:00"), open=5, kb=0, entry=60)
        self.assertEqual(other.score, 65.0)
        self.assertEqual(self.card.band_for(other.score).name, "合格")

    def test_deductions_per_occurrence_and_floor(self):
        review = self._review(self.call, open=10, kb=15, entry=30, taboo=2)
        self.assertEqual(review.score, 45.0)  # 55 − 2 × 5
        self._mark(review, self.inspector, open=0, kb=0, entry=10, taboo=5)
        self.assertEqual(review.score, 0.0)  # 10 − 25: never below 0

    def test_percent_scale(self):
        card = self.env["hotline.quality.scorecard"].create({"name": "百分制", "scale": "percent"})
        Item = self.env["hotline.quality.scorecard.item"]
        a = Item.create({"scorecard_id": card.id, "name": "甲", "weight": 40})
        Item.create({"scorecard_id": card.id, "name": "乙", "weight": 60})
        review = self.env["hotline.quality.review"].with_user(self.inspector).create(
            {"call_id": self.call.id, "scorecard_id": card.id})
        review.line_ids.filtered(lambda ln: ln.item_id == a).value = 50
        (review.line_ids - review.line_ids.filtered(lambda ln: ln.item_id == a)).value = 100
        self.assertEqual(review.score, 80.0)  # 100 × (40 × 0.5 + 60 × 1) / 100

    def test_bad_input_rejected(self):
        review = self._review(self.call)
        line = review.line_ids.filtered(lambda ln: ln.item_id == self.i_open).with_user(self.inspector)
        with self.assertRaisesRegex(ValidationError, "between 0 and 10"):
            line.value = 11
        entry = review.line_ids.filtered(lambda ln: ln.item_id == self.i_entry).with_user(self.inspector)
        with self.assertRaisesRegex(ValidationError, "cannot be marked N/A"):
            entry.na = True
        with self.assertRaisesRegex(ValidationError, "weight above 0"):
            self.env["hotline.quality.scorecard.item"].create(
                {"scorecard_id": self.card.id, "name": "零权重", "weight": 0})
