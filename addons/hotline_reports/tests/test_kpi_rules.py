import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import HotlineReportsCommon

# May 2020 (Asia/Shanghai); 4 May is a Monday. Rule: sign for within 2 working hours (8-12, 13-17), finish within
# 48 clock hours of the dispatch.
MAY = (date(2020, 5, 1), date(2020, 5, 31))
READ_AT = "2020-06-15 10:00"


@tagged("post_install", "-at_install")
class TestAssessmentRules(HotlineReportsCommon):
    """Ruled returns, callbacks without an evaluation and the scheme's deductions, from event sequences with
    failures: every new figure per unit in the service, the 单位统计分析 view, 综合考核 and the XLSX."""

    def _full(self, case, unit, day, sign="10:00", submit="15:00", approve="16:00"):
        user = self._unit_user(unit)
        self._do(case, f"{day} {sign}", user, "action_accept")
        self._do(case, f"{day} {submit}", user, "action_submit", note="已处理完毕。")
        self._do(case, f"{day} {approve}", self.reviewer, "action_review_approve")

    def _new(self, unit, text):
        case = self._case_at(text)
        self._dispatch_at(case, unit, text)
        return case

    def _rate(self, case, text, satisfaction="satisfied"):
        self._do(case, text, self.agent, "action_callback_done", satisfaction, "市民已评价。")

    def _return(self, case, text, ruling=None, ruled_at=None):
        """The unit holding `case` returns it at `text`; the dispatcher rules it at `ruled_at` when `ruling`."""
        unit = case.unit_id
        self._do(case, text, self._unit_user(unit), "action_return", reason="非本单位职责。")
        line = case.log_ids.filtered(lambda log: log.action == "return").sorted("id")[-1]
        if ruling:
            with self.at(ruled_at):
                line.with_user(self.dispatcher).action_rule_return(ruling, "经核实，裁定如上。")
        return line

    def test_returns_ruled_justified_improper_and_pending(self):
        """A returns three cases: one ruled 合理, one 不当, one still 待裁定; B handles all three, one of them urged
        (督办). Only the improper return counts and costs A a point; B loses half a point for the urging."""
        a, b = self.unit_a, self.unit_b
        justified = self._new(a, "2020-05-04 09:00")
        self._return(justified, "2020-05-04 09:30", "justified", "2020-05-04 11:00")
        improper = self._new(a, "2020-05-05 09:00")
        improper_line = self._return(improper, "2020-05-05 09:30", "improper", "2020-05-05 11:00")
        pending = self._new(a, "2020-05-06 09:00")
        pending_line = self._return(pending, "2020-05-06 09:30")
        own = self._new(a, "2020-05-07 09:00")
        self._full(own, a, "2020-05-07")
        self._rate(own, "2020-05-08 10:00")
        for case, day in ((justified, "2020-05-11"), (improper, "2020-05-12"), (pending, "2020-05-13")):
            self._dispatch_at(case, b, f"{day} 09:00")
        self._do(improper, "2020-05-12 09:30", self.reviewer, "action_urge", note="请尽快签收办理。")
        for case, day in ((justified, "2020-05-11"), (improper, "2020-05-12"), (pending, "2020-05-13")):
            self._full(case, b, day)
            self._rate(case, f"{day} 17:00")
        self.assertEqual(pending_line.return_ruling, "pending")
        self.assertEqual(improper_line.ruling_user_id, self.dispatcher)
        sources = self.assertFigures(MAY, {
            a: {"dispatches": 4, "returned": 3, "returned_improper": 1, "improper_return_rate": 1 / 4,
                "urged": 0, "sign_on_time_rate": 1.0, "on_time_rate": 1.0, "satisfaction_rate": 1.0,
                "score": 99.0, "rank": 2},
            b: {"dispatches": 3, "returned": 0, "returned_improper": 0, "improper_return_rate": 0.0, "urged": 1,
                "rated": 3, "satisfied": 3, "score": 99.5, "rank": 1},
        }, at=READ_AT)
        self.assertEqual(sources["assessment"][a]["deduction"], 1.0)
        # the dispatches behind 不当退单: the improper one only
        dispatch_ids = self.kpi.dispatch_ids("returned_improper", *MAY, a)
        self.assertEqual(self.env["hotline.case.log"].browse(dispatch_ids).case_id, improper)
        # ruled justified on appeal: the return no longer counts, nor deducts
        with self.at("2020-06-01 10:00"):
            improper_line.with_user(self.reviewer).action_rule_return("justified", "复核认定退单合理。")
        self.assertFigures(MAY, {a: {"returned_improper": 0, "improper_return_rate": 0.0, "score": 100.0}},
                           at=READ_AT)

    def test_unreachable_refused_and_redone(self):
        """A's results: one caller unreachable after 3 attempts, one declines to rate, one 不满意 → 重办 → A again →
        满意. Neither 无法联系 nor 拒绝评价 is an evaluation; all four callbacks are done (回访率 100 %)."""
        a = self.unit_a
        self.env.company.hotline_callback_attempts = 3
        unreachable = self._new(a, "2020-05-04 09:00")
        self._full(unreachable, a, "2020-05-04")
        for text in ("2020-05-05 10:00", "2020-05-05 14:00", "2020-05-06 10:00"):
            self._do(unreachable, text, self.agent, "action_callback_attempt")
        self._do(unreachable, "2020-05-06 10:05", self.agent, "action_callback_unreachable")
        refused = self._new(a, "2020-05-06 09:00")
        self._full(refused, a, "2020-05-06")
        self._do(refused, "2020-05-07 10:00", self.agent, "action_callback_refused", note="市民表示不愿评价。")
        redone = self._new(a, "2020-05-08 09:00")
        self._full(redone, a, "2020-05-08")
        self._do(redone, "2020-05-09 10:00", self.agent, "action_reopen", note="问题仍未解决。")
        self._dispatch_at(redone, a, "2020-05-11 09:00")
        self._full(redone, a, "2020-05-11")
        self._rate(redone, "2020-05-12 10:00")
        attempts = unreachable.log_ids.filtered(lambda log: log.action == "callback_attempt")
        self.assertEqual((len(attempts), attempts.user_id), (3, self.agent))
        sources = self.assertFigures(MAY, {a: {
            "callbacks_due": 4, "callbacks_done": 4, "callback_rate": 1.0,
            "callback_unreachable": 1, "callback_refused": 1,
            "rated": 2, "satisfied": 1, "satisfaction_rate": 0.5, "redone": 1, "redo_rate": 0.5,
            "rated_dissatisfied": 1, "rated_satisfied": 1,
            # 一次性办结 judges rated results only: the reopened one, then the redone (not the unit's first result)
            "concluded": 2, "first_time_closed": 0,
            # 30 + 35 + 35 × (0.5 ÷ 0.9) − 1 (重办)
            "score": round(30 + 35 + 35 * 0.5 / 0.9 - 1, 2),
        }}, at=READ_AT)
        self.assertEqual(sources["assessment"][a]["deduction"], 1.0)
        # the case closed: the unreachable one and the refused one both
        self.assertEqual((unreachable.state, refused.state), ("closed", "closed"))

    def test_deductions_cap_floor_and_xlsx(self):
        """Each line stops at its cap, the score at 0; 综合考核's XLSX shows every line's count, the total and the
        detail."""
        scheme = self.env.ref("hotline_reports.assessment_scheme_default")
        figures = {"sign_on_time_rate": 0.1, "on_time_rate": 0.0, "satisfaction_rate": 0.0,
                   "returned_improper": 7, "overdue_count": 3, "urged": 1, "redone": 0}
        score, deduction, _detail = scheme.score(figures)
        # 30 × 0.1 ÷ 0.95 = 3.16 points; deductions: 不当退单 min(5, 7) + 超期 1.5 + 督办 0.5 = 7
        self.assertEqual((score, deduction), (0.0, 7.0))
        _total, lines = scheme.deductions(figures)
        self.assertIn("7 × 1 = 5", scheme.deduction_text(lines))
        # validation: clear errors, never a silent bad scheme
        line = scheme.deduction_ids.filtered(lambda d: d.kind == "urged")
        with self.assertRaises(ValidationError):
            line.points = -1
        with self.assertRaises(ValidationError):
            line.write({"points": 2, "cap": 1})
        with self.assertRaises(ValidationError):
            scheme.write({"deduction_ids": [Command.create({"kind": "urged", "points": 1, "cap": 2})]})
        # the XLSX of 综合考核: A returned one case, ruled improper
        a, b = self.unit_a, self.unit_b
        case = self._new(a, "2020-05-04 09:00")
        self._return(case, "2020-05-04 09:30", "improper", "2020-05-04 10:00")
        self._dispatch_at(case, b, "2020-05-04 11:00")
        self._full(case, b, "2020-05-04", sign="11:30")
        with self.at(READ_AT):
            wizard = self.env["hotline.case.report.wizard"].with_user(self.reviewer).create({
                "report": "assessment", "date_from": MAY[0], "date_to": MAY[1],
                "unit_ids": [Command.set((a | b).ids)]})
            wizard.action_export()
        export = self.env["hotline.report.export"].search([], limit=1)
        sheet = openpyxl.load_workbook(io.BytesIO(export.file_bytes())).worksheets[0]
        headers = {sheet.cell(4, c).value: c for c in range(1, sheet.max_column + 1)}
        rows = {sheet.cell(r, 2).value: r for r in range(5, 7)}
        row = rows[a.name]
        self.assertEqual(sheet.cell(row, headers["Improper Return (不当退单)"]).value, 1)
        self.assertEqual(sheet.cell(row, headers["Points Deducted"]).value, 1.0)
        self.assertIn("1 × 1 = 1", sheet.cell(row, headers["Deduction Detail"]).value)
        self.assertEqual(sheet.cell(rows[b.name], headers["Points Deducted"]).value, 0.0)
        for header in ("Caller Unreachable", "Declined to Rate", "Overdue Case (超期)", "Urged by a Supervisor (督办)",
                       "Redone after the Callback (重办)"):
            self.assertIn(header, headers)
