import itertools
from datetime import date, timedelta
from unittest.mock import patch

import pytz
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import HotlineReportsCommon

# May 2020 (Asia/Shanghai); 4 May is a Monday. Rule: sign for within 2 working hours (8-12, 13-17), finish within
# 48 clock hours of the dispatch.
MAY = (date(2020, 5, 1), date(2020, 5, 31))
READ_AT = "2020-06-15 10:00"


@tagged("post_install", "-at_install")
class TestKpiPerDispatch(HotlineReportsCommon):
    """Each path of a case, driven through the real transitions, counted against the unit that did each step, in
    the period it did it: the service, the 单位统计分析 view, 综合考核 and the XLSX give the same figures."""

    def _full(self, case, unit, day, sign="10:00", submit="15:00", approve="16:00"):
        """Sign for, submit and have the result approved on `day` (local)."""
        user = self._unit_user(unit)
        self._do(case, f"{day} {sign}", user, "action_accept")
        self._do(case, f"{day} {submit}", user, "action_submit", note="已处理完毕。")
        self._do(case, f"{day} {approve}", self.reviewer, "action_review_approve")

    def _rejected(self, case, unit, day):
        """Sign for at 09:30, submit at 11:00, the result rejected at 12:00 on `day` (local)."""
        user = self._unit_user(unit)
        self._do(case, f"{day} 09:30", user, "action_accept")
        self._do(case, f"{day} 11:00", user, "action_submit", note="已处理。")
        self._do(case, f"{day} 12:00", self.reviewer, "action_review_reject", note="未附照片。")

    def _rate(self, case, text, satisfaction="satisfied"):
        self._do(case, text, self.agent, "action_callback_done", satisfaction, "市民已评价。")

    def _new(self, unit, text):
        case = self._case_at(text)
        self._dispatch_at(case, unit, text)
        return case

    def test_sign_late_extension_submit_late(self):
        a, ua = self.unit_a, self.unit_user_a
        late_sign = self._new(a, "2020-05-04 09:00")  # sign for by 11:00
        self._full(late_sign, a, "2020-05-04", sign="13:00")
        extended = self._new(a, "2020-05-05 09:00")  # deadline 7 May 09:00
        self._do(extended, "2020-05-05 10:00", ua, "action_accept")
        self._do(extended, "2020-05-05 11:00", ua, "action_request_extension", days=1, reason="需协调。")
        self._do(extended, "2020-05-05 12:00", self.reviewer, "action_approve_extension")  # → 8 May 17:00
        self._do(extended, "2020-05-08 12:00", ua, "action_submit", note="已处理。")
        late = self._new(a, "2020-05-06 09:00")  # deadline 8 May 09:00
        self._do(late, "2020-05-06 10:00", ua, "action_accept")
        self._do(late, "2020-05-11 09:00", ua, "action_submit", note="已处理。")
        self.assertFigures(MAY, {a: {
            "dispatches": 3, "dispatched": 3, "signed": 3, "sign_due": 3, "signed_on_time": 2,
            "sign_on_time_rate": 2 / 3, "extension_requested": 1, "extended": 1,
            "submitted": 3, "settled": 3, "returned": 0, "return_rate": 0.0,
            "due": 3, "handled_on_time": 2, "overdue_count": 1, "on_time_rate": 2 / 3,
            "due_extended": 1, "extension_rate": 1 / 3,
            "reviewed": 1, "approved": 1, "close_rate": 1.0, "rated": 0, "satisfaction_rate": None,
            "holding_submitted": 2, "holding_overdue": 0,
        }}, at=READ_AT)
        with self.at(READ_AT):
            figures = self.kpi.unit_figures(*MAY, units=a)[a.id]
        self.assertAlmostEqual(figures["overdue_hours"], 3 * 24)  # 8 May 09:00 → 11 May 09:00

    def test_return_and_hand_over(self):
        """A returns a case that B then handles: the return stays A's (its own dispatch), the work is B's."""
        a, b = self.unit_a, self.unit_b
        case = self._new(a, "2020-05-04 09:00")
        self._do(case, "2020-05-04 09:30", self.unit_user_a, "action_return", reason="非本单位职责。")
        self._dispatch_at(case, b, "2020-05-05 09:00")
        self._full(case, b, "2020-05-05")
        self._rate(case, "2020-05-06 10:00")
        self.assertFigures(MAY, {
            a: {"dispatches": 1, "dispatched": 1, "signed": 0, "sign_due": 0, "sign_on_time_rate": None,
                "returned": 1, "settled": 1, "return_rate": 1.0, "due": 0, "on_time_rate": None,
                "rated": 0, "satisfaction_rate": None, "concluded": 0},
            b: {"dispatches": 1, "dispatched": 1, "sign_due": 1, "signed_on_time": 1, "returned": 0,
                "return_rate": 0.0, "due": 1, "handled_on_time": 1, "approved": 1, "rated": 1, "satisfied": 1,
                "satisfaction_rate": 1.0, "concluded": 1, "first_time_closed": 1, "first_time_closed_rate": 1.0},
        }, at=READ_AT)

    def test_rejected_then_redone_by_the_same_unit(self):
        a = self.unit_a
        case = self._new(a, "2020-05-04 09:00")
        self._rejected(case, a, "2020-05-04")
        self._dispatch_at(case, a, "2020-05-04 14:00")
        self._full(case, a, "2020-05-05")
        self._rate(case, "2020-05-06 10:00")
        self.assertFigures(MAY, {a: {
            "dispatches": 2, "dispatched": 1, "submitted": 2, "reviewed": 2, "approved": 1, "rejected": 1,
            "close_rate": 0.5, "rated": 1, "satisfied": 1, "satisfaction_rate": 1.0,
            # the rejection and the satisfied second result: not the unit's first result, not first-time
            "concluded": 2, "first_time_closed": 0, "first_time_closed_rate": 0.0,
        }}, at=READ_AT)

    def test_dissatisfied_redone_by_another_unit(self):
        """不满意 → 重办 → 满意: A's result judged 不满意 stays counted against A; the redone result is B's and rated
        for B."""
        a, b = self.unit_a, self.unit_b
        case = self._new(a, "2020-05-04 09:00")
        self._full(case, a, "2020-05-04")
        self._do(case, "2020-05-05 10:00", self.agent, "action_reopen", note="问题仍未解决。")
        self._dispatch_at(case, b, "2020-05-05 14:00")
        self._full(case, b, "2020-05-06")
        self._rate(case, "2020-05-07 10:00", "very_satisfied")
        self.assertFigures(MAY, {
            a: {"rated": 1, "satisfied": 0, "satisfaction_rate": 0.0, "redone": 1, "redo_rate": 1.0,
                "callbacks_due": 1, "callbacks_done": 1, "concluded": 1, "first_time_closed": 0},
            b: {"rated": 1, "satisfied": 1, "satisfaction_rate": 1.0, "redone": 0, "redo_rate": 0.0,
                "concluded": 1, "first_time_closed": 1, "first_time_closed_rate": 1.0},
        }, at=READ_AT)

    def test_period_boundaries(self):
        """Each step counts in the period it happened: a dispatch at 23:59 on 31 May is May's, its signing at 00:01
        on 1 June June's (UTC: both on 31 May)."""
        a = self.unit_a
        case = self._new(a, "2020-05-31 23:59")
        self._do(case, "2020-06-01 00:01", self.unit_user_a, "action_accept")
        self.assertFigures(MAY, {a: {"dispatches": 1, "signed": 0, "sign_due": 0}}, at=READ_AT)
        self.assertFigures((date(2020, 6, 1), date(2020, 6, 30)),
                           {a: {"dispatches": 0, "signed": 1, "sign_due": 1, "signed_on_time": 1}}, at=READ_AT)
        self.assertFigures((date(2020, 5, 31), date(2020, 5, 31)), {a: {"dispatches": 1, "signed": 0}}, at=READ_AT)

    def test_the_issue_example_scores_below_a_unit_that_did_everything_right(self):
        """Unit A: 4 cases in 5 dispatches; returns one, has a result rejected, gets a 不满意 that leads to 重办 and
        the redone case goes to B. Unit B: 4 cases, everything right. A scores below B."""
        a, b = self.unit_a, self.unit_b
        ua = self.unit_user_a
        e1 = self._new(a, "2020-05-04 09:00")
        self._full(e1, a, "2020-05-04")
        self._rate(e1, "2020-05-05 10:00")
        e2 = self._new(a, "2020-05-04 09:10")
        self._do(e2, "2020-05-04 09:20", ua, "action_return", reason="非本单位职责。")
        self._dispatch_at(e2, b, "2020-05-04 10:00")
        self._full(e2, b, "2020-05-04", sign="11:00")
        self._rate(e2, "2020-05-05 10:00")
        e3 = self._new(a, "2020-05-06 09:00")
        self._rejected(e3, a, "2020-05-06")
        self._dispatch_at(e3, a, "2020-05-07 09:00")
        self._full(e3, a, "2020-05-07")
        self._rate(e3, "2020-05-08 10:00")
        e4 = self._new(a, "2020-05-11 09:00")
        self._full(e4, a, "2020-05-11")
        self._do(e4, "2020-05-12 10:00", self.agent, "action_reopen", note="问题仍未解决。")
        self._dispatch_at(e4, b, "2020-05-12 11:00")
        self._full(e4, b, "2020-05-12", sign="12:00")
        self._rate(e4, "2020-05-13 10:00")
        for day in ("2020-05-18", "2020-05-19"):
            case = self._new(b, f"{day} 09:00")
            self._full(case, b, day)
            self._rate(case, f"{day} 17:00")
        sources = self.assertFigures(MAY, {
            a: {"dispatches": 5, "dispatched": 4, "returned": 1, "settled": 5, "return_rate": 1 / 5,
                "rejected": 1, "approved": 3, "close_rate": 3 / 4, "rated": 3, "satisfied": 2,
                "satisfaction_rate": 2 / 3, "redone": 1, "redo_rate": 1 / 3,
                "concluded": 4, "first_time_closed": 1, "first_time_closed_rate": 1 / 4, "rank": 2,
                # 满意度得分: 满意 80, 满意 80, 不满意 (重办) 20
                "rated_satisfied": 2, "rated_dissatisfied": 1, "satisfaction_score": 60.0},
            b: {"dispatches": 4, "dispatched": 4, "returned": 0, "rated": 4, "satisfied": 4, "satisfaction_rate": 1.0,
                "satisfaction_score": 80.0,
                "first_time_closed": 4, "first_time_closed_rate": 1.0, "score": 100.0, "rank": 1},
        }, at=READ_AT)
        # 30 × 100 % + 35 × 100 % + 35 × (2/3 ÷ 90 %) − 1 (e4's 重办; e2's return is not ruled improper)
        self.assertAlmostEqual(sources["assessment"][a]["score"], round(30 + 35 + 35 * (2 / 3) / 0.9 - 1, 2))

    def test_a_rate_without_data_is_never_zero(self):
        """B has no case in May: 不参评 or its indicators left out, never a score of 0; the screens show it blank."""
        a, b = self.unit_a, self.unit_b
        case = self._new(a, "2020-05-04 09:00")
        self._full(case, a, "2020-05-04")  # no callback yet: no satisfaction figure
        sources = self.assertFigures(MAY, {
            a: {"satisfaction_rate": None, "sign_on_time_rate": 1.0, "on_time_rate": 1.0, "score": 100.0,
                "rank": 1},
            b: {"dispatches": 0, "sign_on_time_rate": None, "satisfaction_rate": None, "satisfaction_score": None,
                "score": None, "rank": None},
        }, at=READ_AT)
        self.assertIsNone(sources["xlsx"][b]["satisfaction_rate"], "blank cell")
        scheme = self.env.ref("hotline_reports.assessment_scheme_default")
        scheme.no_data = "exclude"
        sources = self._everywhere(MAY, a | b, READ_AT)
        self.assertEqual((sources["assessment"][a]["score"], sources["assessment"][b]["score"]), (None, None),
                         "A has no satisfaction figure: not assessed under this scheme")

    def test_weights_add_up_to_100(self):
        scheme = self.env.ref("hotline_reports.assessment_scheme_default").with_user(self.manager)
        line = scheme.line_ids[0]
        with self.assertRaisesRegex(ValidationError, "add up to 110"):
            scheme.write({"line_ids": [Command.update(line.id, {"weight": 40})]})
        self.env["res.lang"]._activate_lang("zh_CN")
        with self.assertRaisesRegex(ValidationError, "必须合计为 100"):
            scheme.with_context(lang="zh_CN").write({"line_ids": [Command.update(line.id, {"weight": 40})]})
        scheme.write({"line_ids": [Command.update(line.id, {"weight": 20}),
                                   Command.update(scheme.line_ids[1].id, {"weight": 45})]})
        self.assertEqual(sum(scheme.line_ids.mapped("weight")), 100)


@tagged("post_install", "-at_install")
class TestReportDefects(HotlineReportsCommon):
    """Defects found by checking the reports along known paths, each fixed."""

    def test_hotspot_not_ranked_before_is_blank(self):
        """热点排名: a category not ranked the month before shows no previous rank nor change (not 0)."""
        self._case_at("2020-02-10 10:00", category_id=self.cat_road.id)
        self._case_at("2020-03-10 10:00", category_id=self.cat_road.id)
        self._case_at("2020-03-11 10:00", category_id=self.cat_water.id)
        view = self.env["hotline.report.case.hotspot"].with_user(self.reviewer)
        march = view.search([("kind", "=", "category"), ("month", "=", "2020-03-01")])
        road = march.filtered(lambda r: r.category_id == self.cat_road)
        water = march.filtered(lambda r: r.category_id == self.cat_water)
        self.assertEqual((road.ranked_before, road.previous_rank, road.rank_change), (True, 1, 0))
        self.assertFalse(water.ranked_before)
        arch = etree.fromstring(view.get_views([(False, "list")])["views"]["list"]["arch"])
        for name in ("previous_rank", "rank_change"):
            self.assertEqual(arch.find(f".//field[@name='{name}']").get("invisible"), "not ranked_before")

    def test_one_instant_per_transition(self):
        """A case's step date and its log line's date are the same instant, even when the clock ticks between
        the two (every call of the clock below is a second later)."""
        start = self.local("2020-03-02 10:00")
        clock = (start + timedelta(seconds=n) for n in itertools.count())
        case = self._new_case()
        case.write({"unit_id": self.unit_a.id})
        with patch.object(fields.Datetime, "now", side_effect=lambda *a: next(clock)):
            case.with_user(self.agent).action_self_dispatch()
            case.with_user(self.unit_user_a).action_accept()
            case.with_user(self.unit_user_a).action_submit(note="已处理。")
        log = {line.action: line.date for line in case.log_ids}
        self.assertEqual((case.date_dispatched, case.date_accepted, case.date_submitted),
                         (log["self_dispatch"], log["accept"], log["submit"]))

    def test_unit_view_counts_no_future_day(self):
        """单位统计分析 (read at the database's clock): a deadline still to come places nothing yet — no row dated
        after today, none all zero."""
        case = self._new_case()
        case.write({"unit_id": self.unit_a.id})
        case.with_user(self.agent).action_self_dispatch()  # now: the deadline is in 48 hours
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(self.env.company._hotline_tz()).date()
        view = self.env["hotline.report.case.unit"].with_user(self.reviewer)
        counts = [name for name, field in view._fields.items() if field.type == "integer" and name != "id"]
        rows = view.search_read([("unit_id", "=", self.unit_a.id)], ["date", *counts])
        self.assertEqual([(r["date"], r["dispatches"]) for r in rows], [(today, 1)])
        self.assertFalse([r for r in rows if not any(r[c] for c in counts)], "no all-zero row")
