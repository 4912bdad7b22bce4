from collections import Counter

from odoo.tests import tagged

from .common import QualityCase, utc


@tagged("post_install", "-at_install")
class TestSampling(QualityCase):
    """The plan's quotas per agent and week, the complained-about and long calls, no call twice, balanced queues.

    Week of Monday 2026-03-09 (Shanghai): agent answers 10 calls (one of 900 s), agent2 4; one of agent2's
    calls is of a case rated 不满意. Calls of the week before and of an abandoned call are around too.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calls_a = [cls._call(cls.agent, f"2026-03-{9 + i // 4:02d} {9 + i % 4:02d}:00:00",
                                 talk=900 if i == 0 else 120) for i in range(10)]
        case = cls._new_case()
        case.sudo().satisfaction = "dissatisfied"
        cls.calls_b = [cls._call(cls.agent2, f"2026-03-10 1{i}:30:00", case=case if i == 0 else None)
                       for i in range(4)]
        # before the plan's start: never sampled, even if complained about
        cls.old_call = cls._call(cls.agent2, "2026-02-20 10:00:00", case=case)
        cls.plan = cls.env["hotline.quality.plan"].create({
            "name": "测试抽检", "scorecard_id": cls.card.id, "sample_mode": "percent", "sample_percent": 25,
            "include_complaints": True, "long_call_seconds": 600, "start_date": "2026-03-01",
            "inspector_ids": [(6, 0, (cls.inspector | cls.inspector2).ids)]})
        cls.now = utc("2026-03-12 18:00:00")

    def test_percent_plan(self):
        reviews = self.plan._sample(self.now)
        reasons = Counter((r.agent_id, r.sample_reason) for r in reviews)
        # agent: the long call, then ceil(25 % × 10) = 3 random calls among the other 9
        self.assertEqual(reasons[(self.agent, "long")], 1)
        self.assertEqual(reasons[(self.agent, "sample")], 3)
        # agent2: the complained-about call, then ceil(25 % × 4) = 1 random call among the other 3
        self.assertEqual(reasons[(self.agent2, "complaint")], 1)
        self.assertEqual(reasons[(self.agent2, "sample")], 1)
        self.assertEqual(reviews.filtered(lambda r: r.sample_reason == "long").call_id, self.calls_a[0])
        self.assertEqual(reviews.filtered(lambda r: r.sample_reason == "complaint").call_id, self.calls_b[0])
        self.assertNotIn(self.old_call, reviews.call_id)
        self.assertEqual(len(reviews.call_id), len(reviews), "a call is sampled once")
        # balanced: 6 reviews, 3 each
        self.assertEqual(Counter(r.inspector_id.login for r in reviews), {"qa_inspector": 3, "qa_inspector2": 3})

    def test_rerun_samples_nothing_twice(self):
        first = self.plan._sample(self.now)
        self.assertFalse(self.plan._sample(self.now), "quotas met, nothing new")
        # a new call of the week: the quota (25 % of 11 = 3) is met, the call is not sampled either
        self._call(self.agent, "2026-03-12 17:00:00")
        self.assertFalse(self.plan._sample(self.now))
        # two more: ceil(25 % × 13) = 4, one more random call, none sampled before
        self._call(self.agent, "2026-03-12 17:10:00")
        self._call(self.agent, "2026-03-12 17:20:00")
        more = self.plan._sample(self.now)
        self.assertEqual(len(more), 1)
        self.assertFalse(more.call_id & first.call_id)

    def test_count_plan_and_balance(self):
        self.plan.write({"sample_mode": "count", "sample_count": 4, "include_complaints": False,
                         "long_call_seconds": 0})
        # inspector2 already has 2 reviews to score: the first new ones go to inspector
        other = self._call(self.agent, "2026-03-01 09:00:00")
        self.env["hotline.quality.review"].create([
            {"call_id": other.id, "scorecard_id": self.card.id, "inspector_id": self.inspector2.id},
            {"call_id": self.old_call.id, "scorecard_id": self.card.id, "inspector_id": self.inspector2.id}])
        reviews = self.plan._sample(self.now)
        self.assertEqual(Counter(r.agent_id.login for r in reviews), {"hc_agent": 4, "qa_agent2": 4})
        load = Counter(r.inspector_id.login for r in reviews)
        self.assertEqual(load, {"qa_inspector": 5, "qa_inspector2": 3})  # 0 + 5 = 2 + 3

    def test_last_week_sampled_on_monday(self):
        self.plan.write({"sample_mode": "count", "sample_count": 1, "include_complaints": False,
                         "long_call_seconds": 0})
        monday = utc("2026-03-16 08:00:00")
        reviews = self.plan._sample(monday)
        self.assertEqual(Counter(r.agent_id.login for r in reviews), {"hc_agent": 1, "qa_agent2": 1})
        self.assertFalse(self.plan._sample(monday))

    def test_unanswered_calls_are_not_sampled(self):
        self.plan.write({"sample_mode": "percent", "sample_percent": 100, "include_complaints": False})
        abandoned = self._call(self.agent, "2026-03-11 12:00:00", outcome="abandoned")
        reviews = self.plan._sample(self.now)
        self.assertNotIn(abandoned, reviews.call_id)
        self.assertEqual(len(reviews), 14)
