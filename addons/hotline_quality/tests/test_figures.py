import io

import openpyxl

from odoo.tests import tagged

from .common import QualityCase


@tagged("post_install", "-at_install")
class TestQualityFigures(QualityCase):
    """The QA score per agent and month: mean final score of the submitted reviews of the month's calls
    (Shanghai time), calibration and draft reviews left out; an appeal changes it only through its ruling."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # March: 100 and 55 for agent (mean 77.5), 0 (致命项) for agent2; a draft of agent's that never counts
        cls.r1 = cls._submitted(cls._call(cls.agent, "2026-03-02 09:00:00"), open=10, kb=30, entry=60)
        cls.r2 = cls._submitted(cls._call(cls.agent, "2026-03-31 23:30:00"), open=10, kb=15, entry=30)  # 15:30 UTC
        cls.r3 = cls._submitted(cls._call(cls.agent2, "2026-03-15 10:00:00"), open=10, kb=30, entry=60, fatal=True)
        cls.draft = cls._review(cls._call(cls.agent, "2026-03-20 10:00:00"), open=0, kb=0, entry=0)
        # April 1st 00:30 local is still March 31st in UTC: an April figure
        cls.r4 = cls._submitted(cls._call(cls.agent, "2026-04-01 00:30:00"), open=10, kb="na", entry=30)
        cls.kpi = cls.env["hotline.kpi.call"].with_user(cls.reviewer)

    @classmethod
    def _submitted(cls, call, **marks):
        review = cls._review(call, **marks)
        review.with_user(cls.inspector).action_submit()
        return review

    def test_month_figures(self):
        march = self.kpi.agent_figures("2026-03-01", "2026-03-31")
        self.assertEqual((march[self.agent.id]["qa_reviews"], march[self.agent.id]["qa_score"]), (2, 77.5))
        self.assertEqual((march[self.agent2.id]["qa_score"], march[self.agent2.id]["qa_fatal"]), (0.0, 1))
        april = self.kpi.agent_figures("2026-04-01", "2026-04-30")
        self.assertEqual(april[self.agent.id]["qa_reviews"], 1)
        self.assertAlmostEqual(april[self.agent.id]["qa_score"], 57.14, places=2)  # 100 × 40 / 70
        self.assertNotIn(self.agent2.id, april)
        report = self.env["hotline.quality.agent.report"].with_user(self.reviewer)
        rows = report._read_group([("date", ">=", "2026-03-01"), ("date", "<=", "2026-03-31")], ["user_id"],
                                  ["qa_score:avg", "qa_reviews:sum", "qa_failed:sum"])
        by_agent = {user: (score, count, failed) for user, score, count, failed in rows}
        self.assertEqual(by_agent[self.agent], (77.5, 2, 1))
        self.assertEqual(by_agent[self.agent2], (0.0, 1, 1))

    def test_agent_statistics_pivot(self):
        """坐席统计 (hotline.agent.report) by agent and month: the QA score beside the call figures."""
        report = self.env["hotline.agent.report"].with_user(self.reviewer).with_context(hotline_kpi_base=True)
        rows = report._read_group([("user_id", "in", (self.agent | self.agent2).ids)], ["user_id", "date:month"],
                                  ["qa_score:avg", "qa_reviews:sum", "inbound_answered:sum"])
        figures = {(user.login, month.month): (score, count, answered)
                   for user, month, score, count, answered in rows}
        self.assertEqual(figures[("hc_agent", 3)][:2], (77.5, 2))
        self.assertEqual(figures[("qa_agent2", 3)][:2], (0.0, 1))
        self.assertAlmostEqual(figures[("hc_agent", 4)][0], 57.14, places=2)
        # the calls are counted as before: the review rows add no call
        self.assertEqual(figures[("hc_agent", 3)][2], 3)

    def test_appeal_changes_the_month_only_through_the_ruling(self):
        self.r2.with_user(self.agent).action_appeal("工单录入无误。")
        march = self.kpi.agent_figures("2026-03-01", "2026-03-31")
        self.assertEqual(march[self.agent.id]["qa_score"], 77.5, "an open appeal leaves the submitted score")
        self.r2.with_user(self.reviewer).action_rule("revised", 85)
        march = self.kpi.agent_figures("2026-03-01", "2026-03-31")
        self.assertEqual(march[self.agent.id]["qa_score"], 92.5)  # (100 + 85) / 2
        april = self.kpi.agent_figures("2026-04-01", "2026-04-30")
        self.assertAlmostEqual(april[self.agent.id]["qa_score"], 57.14, places=2, msg="another month unchanged")
        # an upheld appeal changes nothing
        self.r1.with_user(self.agent).action_appeal("满分还申诉")
        self.r1.with_user(self.reviewer).action_rule("upheld")
        self.assertEqual(self.kpi.agent_figures("2026-03-01", "2026-03-31")[self.agent.id]["qa_score"], 92.5)

    def test_xlsx_agent_sheet(self):
        content, _name = self.env["hotline.call.report.wizard"].with_user(self.reviewer)._render_xlsx(
            "2026-03-01", "2026-03-31")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[-1]
        rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
        header = next(row for row in rows if "QA Score" in row or "质检成绩" in row)
        col = header.index("QA Score" if "QA Score" in header else "质检成绩")
        reviews_col = col - 1
        values = {row[0]: (row[reviews_col], row[col]) for row in rows if row and row[0] in ("受理员甲", "受理员乙")}
        self.assertEqual(values["受理员甲"], (2, 77.5))
        self.assertEqual(values["受理员乙"], (1, 0))
        total = next(row for row in rows if row and row[0] in ("Total", "合计"))
        self.assertEqual((total[reviews_col], total[col]), (3, 51.67))  # (100 + 55 + 0) / 3, not a mean of means
