from datetime import date

from odoo.tests import tagged

from .common import HotlineReportsCommon

MAY = (date(2020, 5, 1), date(2020, 5, 31))
JUNE = (date(2020, 6, 1), date(2020, 6, 30))
READ_AT = "2020-06-15 10:00"


@tagged("post_install", "-at_install")
class TestHandlingResultFigures(HotlineReportsCommon):
    """办理结果 and 解决率, counted against the unit that submitted the result, in the period it submitted it, from a
    sequence with failures (a rejected 解决, a return, a 重办, a result without 办理结果, one submitted in June)."""

    def _handle(self, case, unit, day, result, review="action_review_approve", **review_kw):
        user = self._unit_user(unit)
        self._do(case, f"{day} 10:00", user, "action_accept")
        self._do(case, f"{day} 15:00", user, "action_submit", note="已处理。", result=result)
        self._do(case, f"{day} 16:00", self.reviewer, review, **review_kw)

    def _new(self, unit, text):
        case = self._case_at(text)
        self._dispatch_at(case, unit, text)
        return case

    def test_resolution_rate_known_answer(self):
        a, b = self.unit_a, self.unit_b
        # A: 解决, approved -> resolved
        solved = self._new(a, "2020-05-04 09:00")
        self._handle(solved, a, "2020-05-04", "resolved")
        # A: 解决, rejected at review -> reported, not resolved; sent to A again: 部分解决 -> reported
        rejected = self._new(a, "2020-05-05 09:00")
        self._handle(rejected, a, "2020-05-05", "resolved", "action_review_reject", note="照片不能证明已修复。")
        self._dispatch_at(rejected, a, "2020-05-06 09:00")
        self._handle(rejected, a, "2020-05-06", "partly_resolved")
        # A returns it (no result); B resolves it
        returned = self._new(a, "2020-05-07 09:00")
        self._do(returned, "2020-05-07 09:30", self.unit_user_a, "action_return", reason="非本单位职责。")
        self._dispatch_at(returned, b, "2020-05-08 09:00")
        self._handle(returned, b, "2020-05-08", "resolved")
        # A: 解决, the caller is not satisfied -> 重办 -> A again: 不办理
        redone = self._new(a, "2020-05-11 09:00")
        self._handle(redone, a, "2020-05-11", "resolved")
        self._do(redone, "2020-05-12 10:00", self.agent, "action_reopen", note="问题仍未解决。")
        self._dispatch_at(redone, a, "2020-05-13 09:00")
        self._handle(redone, a, "2020-05-13", "not_handled")
        # A: a result without 办理结果 (an older client) is not counted
        bare = self._new(a, "2020-05-14 09:00")
        self._handle(bare, a, "2020-05-14", None)
        # A: dispatched in May, resolved in June -> June's
        late = self._new(a, "2020-05-29 09:00")
        self._handle(late, a, "2020-06-01", "resolved")

        self.assertEqual(rejected.log_ids.filtered(lambda log: log.action == "submit").mapped("handling_result"),
                         ["partly_resolved", "resolved"])
        self.assertFigures(MAY, {
            a: {"submitted": 6, "results_reported": 5, "results_resolved": 2, "resolution_rate": 0.4},
            b: {"submitted": 1, "results_reported": 1, "results_resolved": 1, "resolution_rate": 1.0},
        }, at=READ_AT)
        self.assertFigures(JUNE, {
            a: {"results_reported": 1, "results_resolved": 1, "resolution_rate": 1.0},
            b: {"results_reported": 0, "resolution_rate": None},
        }, at=READ_AT)
        # the dispatches behind 上报解决: the first one and the one later redone
        ids = self.kpi.dispatch_ids("results_resolved", *MAY, a)
        self.assertEqual(self.env["hotline.case.log"].browse(ids).case_id, solved | redone)
