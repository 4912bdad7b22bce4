from datetime import date

from odoo import Command
from odoo.addons.hotline_case.tests.common import sample_file
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models.hotline_assessment_publication import MEASURE_CODES
from .common import HotlineReportsCommon

APRIL = (date(2020, 4, 1), date(2020, 4, 30))


@tagged("post_install", "-at_install")
class TestAssessmentPublication(HotlineReportsCommon):
    """April 2020 (Asia/Shanghai; rule: sign for within 2 working hours, finish within 48 clock hours):
    unit A: c6 dispatched 03-31 23:30 and c7 04-01 00:30, neither signed for (both overdue in April); c11 handled
    in time on 04-02, the caller satisfied. Unit B: c12 handled in time on 04-03, the caller satisfied.
    Published on Wednesday 04-15 10:00: the appeal window (5 working days) ends on 04-22 17:00."""

    def setUp(self):
        super().setUp()
        a, b, ua, ub, rv, ag = (self.unit_a, self.unit_b, self.unit_user_a, self.unit_user_b, self.reviewer,
                                self.agent)
        self.c6 = self._case_at("2020-03-31 23:20")
        self._dispatch_at(self.c6, a, "2020-03-31 23:30")
        self.c7 = self._case_at("2020-04-01 00:20")
        self._dispatch_at(self.c7, a, "2020-04-01 00:30")
        self.c11 = self._case_at("2020-04-02 09:50")
        self._dispatch_at(self.c11, a, "2020-04-02 10:00")
        self.c12 = self._case_at("2020-04-03 08:50")
        self._dispatch_at(self.c12, b, "2020-04-03 09:00")
        for case, user, day, callback in ((self.c11, ua, "2020-04-02", "2020-04-03 10:00"),
                                          (self.c12, ub, "2020-04-03", "2020-04-06 10:00")):
            self._do(case, f"{day} 11:00", user, "action_accept")
            self._do(case, f"{day} 15:00", user, "action_submit", note="已处理完毕。")
            self._do(case, f"{day} 16:00", rv, "action_review_approve")
            self._do(case, callback, ag, "action_callback_done", "satisfied", "市民表示满意。")
        self.scheme = self.env.ref("hotline_reports.assessment_scheme_default")
        self.assessment = self.env["hotline.assessment"].with_user(self.reviewer).create({
            "scheme_id": self.scheme.id, "date_from": APRIL[0], "date_to": APRIL[1],
            "unit_ids": [Command.set([a.id, b.id])]})
        with self.at("2020-04-15 10:00"):
            self.assessment.action_publish()
        self.v1 = self.assessment.publication_ids

    def _result(self, publication, unit):
        return publication.result_ids.filtered(lambda r: r.unit_id == unit)

    def _item(self, publication, unit, code, case):
        return self._result(publication, unit).item_ids.filtered(lambda i: code in i._codes() and i.case_id == case)

    def _cases(self, result, code):
        return result._items(code).case_id

    def test_publish_freezes_figures_and_cases(self):
        self.assertEqual((self.v1.version, self.v1.state), (1, "current"))
        self.assertEqual(self.v1.published_by_id, self.reviewer)
        self.assertEqual(self.v1.appeal_deadline, self.local("2020-04-22 17:00"))
        res_a, res_b = self._result(self.v1, self.unit_a), self._result(self.v1, self.unit_b)
        figures = res_a._figures()
        self.assertEqual({k: figures[k] for k in ("dispatches", "sign_due", "signed", "due", "overdue_count",
                                                  "rated", "satisfied")},
                         {"dispatches": 2, "sign_due": 3, "signed": 1, "due": 3, "overdue_count": 2, "rated": 1,
                          "satisfied": 1})
        self.assertAlmostEqual(figures["on_time_rate"], 1 / 3, places=4)
        self.assertEqual((res_b.rank, res_a.rank), (1, 2))
        self.assertEqual(res_a.score, self._result_of(self.assessment, self.unit_a).score)
        # every count lists exactly its dispatches
        for result in res_a | res_b:
            for code, value in result._figures().items():
                if code in MEASURE_CODES.values():
                    self.assertEqual(len(result._items(code)), value, code)
        self.assertEqual(self._cases(res_a, "overdue_count"), self.c6 | self.c7)
        self.assertEqual(self._cases(res_a, "dispatches"), self.c7 | self.c11)
        # the unit is told
        self.assertIn(self.unit_user_a.partner_id, res_a.message_ids.partner_ids)

        # later transitions on the period's cases: c7 signed for, handled and approved; c6 returned
        self._do(self.c7, "2020-04-16 09:00", self.unit_user_a, "action_accept")
        self._do(self.c7, "2020-04-16 10:00", self.unit_user_a, "action_submit", note="已处理。")
        self._do(self.c7, "2020-04-16 11:00", self.reviewer, "action_review_approve")
        self._do(self.c6, "2020-04-16 12:00", self.unit_user_a, "action_return", reason="不属于本单位职责。")
        with self.at("2020-04-17 10:00"):
            self.assessment.action_compute()
        live = self._result_of(self.assessment, self.unit_a)
        self.assertEqual((live.signed, live.submitted, live.returned), (2, 2, 1))  # the live figures moved
        self.v1.invalidate_recordset()
        self.assertEqual(res_a._figures(), figures)  # the published ones did not
        self.assertEqual(self._cases(res_a, "signed"), self.c11)
        self.assertFalse(self._cases(res_a, "returned"))
        self.assertEqual(self.assessment.publication_ids, self.v1)

    def _result_of(self, assessment, unit):
        return assessment.result_ids.filtered(lambda r: r.unit_id == unit)

    def test_accepted_appeal_makes_a_new_version(self):
        item = self._item(self.v1, self.unit_a, "overdue_count", self.c6)
        old_a, old_b = self._result(self.v1, self.unit_a), self._result(self.v1, self.unit_b)
        before_a, before_b, old_score = old_a._figures(), old_b._figures(), old_a.score
        with self.at("2020-04-16 10:00"):
            appeal = item.with_user(self.unit_user_a).file_appeal(
                "overdue_count", "系统故障导致无法签收，已报备。", [("现场照片.png", self._png())])
        self.assertEqual((appeal.state, appeal.unit_id, appeal.case_id), ("submitted", self.unit_a, self.c6))
        self.assertEqual(appeal.attachment_ids.mimetype, "image/png")
        self.assertIn(self.reviewer.partner_id, appeal.message_ids.partner_ids)  # reviewers are told
        with self.assertRaises(UserError):  # one open appeal per case and figure
            item.with_user(self.unit_user_a).file_appeal("overdue_count", "再次申请。")

        with self.at("2020-04-17 10:00"):
            appeal.with_user(self.manager).action_accept("经核实，系统故障属实。")
        v2 = self.assessment.publication_ids - self.v1
        self.assertEqual((self.v1.state, v2.state, v2.version, v2.appeal_id), ("superseded", "current", 2, appeal))
        self.assertEqual(v2.previous_id, self.v1)
        self.assertEqual(v2.appeal_deadline, self.v1.appeal_deadline)  # the window does not restart
        # the old version stays as published
        self.assertEqual(old_a._figures(), before_a)
        self.assertEqual(old_a.score, old_score)
        self.assertTrue(self._item(self.v1, self.unit_a, "overdue_count", self.c6))
        # the new one without c6 in the population of 应办结 (due, overdue), the rate and score recomputed
        new_a = self._result(v2, self.unit_a)
        after = new_a._figures()
        self.assertEqual((after["due"], after["overdue_count"], after["handled_on_time"]), (2, 1, 1))
        self.assertAlmostEqual(after["on_time_rate"], 0.5)
        self.assertEqual(after["sign_due"], 3)  # other steps of the dispatch keep counting
        self.assertEqual(self._cases(new_a, "overdue_count"), self.c7)
        self.assertEqual(self._cases(new_a, "sign_due"), self.c6 | self.c7 | self.c11)
        self.assertEqual(new_a.score, self.scheme.score(after)[0])
        self.assertGreater(new_a.score, old_score)
        self.assertEqual(self._result(v2, self.unit_b)._figures(), before_b)
        # the change recorded: who, when, why, the old and new figures
        self.assertEqual((appeal.state, appeal.decided_by_id, appeal.decided_at, appeal.decision_reason),
                         ("accepted", self.manager, self.local("2020-04-17 10:00"), "经核实，系统故障属实。"))
        self.assertEqual((appeal.old_score, appeal.new_score, appeal.new_publication_id),
                         (old_score, new_a.score, v2))
        changes = {c.code: (c.old_value, c.new_value) for c in appeal.change_ids}
        self.assertEqual(changes, {"due": ("3", "2"), "overdue_count": ("2", "1"),
                                   "on_time_rate": ("33.33%", "50.00%")})
        self.assertIn("经核实", v2.change_note)
        # another unit reads the new version, not the change (it names A's case and score)
        self.assertEqual(v2.with_user(self.unit_user_b).version, 2)
        with self.assertRaises(AccessError):
            v2.with_user(self.unit_user_b).read(["change_note"])
        with self.assertRaises(AccessError):
            v2.with_user(self.unit_user_b).read(["appeal_id"])
        self.assertEqual(appeal.with_user(self.unit_user_a).new_score, new_a.score)  # A reads its own change
        self.assertIn(self.unit_user_a.partner_id, appeal.message_ids.partner_ids)  # the unit is told
        # an appeal on the superseded version is refused
        with self.at("2020-04-17 11:00"), self.assertRaises(UserError):
            old_item = self._item(self.v1, self.unit_a, "overdue_count", self.c7)
            old_item.with_user(self.unit_user_a).file_appeal("overdue_count", "再议。")

    def test_rejected_appeal(self):
        item = self._item(self.v1, self.unit_a, "overdue_count", self.c7)
        with self.at("2020-04-16 10:00"):
            appeal = item.with_user(self.portal_a).file_appeal("overdue_count", "已电话联系市民。")
        with self.at("2020-04-16 11:00"), self.assertRaises(UserError):
            appeal.with_user(self.reviewer).action_reject("  ")  # a decision needs its reason
        with self.at("2020-04-16 11:00"):
            appeal.with_user(self.reviewer).action_reject("未提供签收记录。")
        self.assertEqual((appeal.state, appeal.decided_by_id, appeal.decision_reason),
                         ("rejected", self.reviewer, "未提供签收记录。"))
        self.assertFalse(appeal.new_publication_id)
        self.assertEqual(self.assessment.publication_ids, self.v1)
        self.assertIn(self.portal_a.partner_id, appeal.message_ids.partner_ids)
        with self.assertRaises(UserError):
            appeal.with_user(self.reviewer).action_accept("改为采纳。")  # decided once

    def test_appeal_window(self):
        item = self._item(self.v1, self.unit_a, "overdue_count", self.c7)
        with self.at("2020-04-22 16:59"):  # the last working day of the window: accepted
            appeal = item.with_user(self.unit_user_a).file_appeal("overdue_count", "系统故障。")
            appeal.with_user(self.reviewer).action_reject("不属实。")
        self.env["res.lang"]._activate_lang("zh_CN")
        with self.at("2020-04-22 17:01"), self.assertRaises(UserError) as error:
            item.with_user(self.unit_user_a).with_context(lang="zh_CN").file_appeal("overdue_count", "系统故障。")
        self.assertIn("复核期限已于 2020-04-22 17:00 截止", str(error.exception))
        with self.at("2020-04-16 10:00"), self.assertRaises(UserError):
            item.with_user(self.unit_user_a).file_appeal("overdue_count", "   ")  # a reason is required
        with self.at("2020-04-16 10:00"), self.assertRaises(UserError):  # c7 was never signed for
            item.with_user(self.unit_user_a).file_appeal("signed", "未签收。")

    def test_roles(self):
        item = self._item(self.v1, self.unit_a, "overdue_count", self.c7)
        result_b = self._result(self.v1, self.unit_b)
        # a unit reads its own results, cases and appeals only
        Result = self.env["hotline.assessment.published.result"]
        for user, unit in ((self.unit_user_a, self.unit_a), (self.portal_a, self.unit_a),
                           (self.unit_user_b, self.unit_b)):
            self.assertEqual(Result.with_user(user).search([]).unit_id, unit)
            self.assertEqual(self.env["hotline.assessment.published.item"].with_user(user).search([]).unit_id, unit)
            self.assertEqual(self.env["hotline.assessment.published.figure"].with_user(user).search([]).unit_id,
                             unit)
        self.assertEqual(Result.with_user(self.reviewer).search([("publication_id", "=", self.v1.id)]).unit_id,
                         self.unit_a | self.unit_b)
        with self.assertRaises(AccessError):
            result_b.with_user(self.unit_user_a).read(["score"])
        with self.assertRaises(AccessError):  # another unit's case behind a figure
            item.with_user(self.unit_user_b).file_appeal("overdue_count", "越权申请。")
        with self.assertRaises(AccessError):  # the center does not appeal for a unit
            item.with_user(self.reviewer).file_appeal("overdue_count", "代为申请。")
        with self.assertRaises(AccessError):
            self.assessment.with_user(self.unit_user_a).action_publish()
        with self.assertRaises(AccessError):  # a dispatcher is not a reviewer
            self.env["hotline.assessment.publication"].with_user(self.dispatcher)._check_publisher()
        with self.assertRaises(AccessError):
            self._result(self.v1, self.unit_a).with_user(self.unit_user_a).write({"score": 100})
        with self.assertRaises(AccessError):
            self._result(self.v1, self.unit_a).with_user(self.reviewer).write({"score": 100})  # frozen for all
        with self.at("2020-04-16 10:00"):
            appeal = item.with_user(self.unit_user_a).file_appeal("overdue_count", "系统故障。")
        for method in ("action_accept", "action_reject"):
            with self.assertRaises(AccessError):
                getattr(appeal.with_user(self.unit_user_a), method)("自行采纳。")
        with self.assertRaises(AccessError):
            appeal.with_user(self.unit_user_a).write({"state": "accepted"})
        with self.assertRaises(AccessError):
            appeal.with_user(self.unit_user_b).read(["reason"])
        self.assertEqual(appeal.with_user(self.portal_a).reason, "系统故障。")
        # the backend's screens as a unit user: its result form with figures and appeals, the version's form
        result_a = self._result(self.v1, self.unit_a).with_user(self.unit_user_a)
        result_a.get_views([(False, "list"), (False, "form")])
        data = result_a.web_read({"publication_id": {"fields": {"display_name": {}}}, "score": {}, "rank": {},
                                  "figure_ids": {"fields": {"code": {}, "display_value": {}, "item_count": {}}},
                                  "appeal_ids": {"fields": {"name": {}, "state": {}}}})[0]
        self.assertEqual(len(data["appeal_ids"]), 1)
        self.assertEqual({f["code"]: f["item_count"] for f in data["figure_ids"]}["overdue_count"], 2)
        self.v1.with_user(self.unit_user_a).get_views([(False, "form")])
        action = result_a.figure_ids.filtered(lambda f: f.code == "on_time_rate").action_open_items()
        self.assertEqual(self.env["hotline.assessment.published.item"].with_user(self.unit_user_a).search(
            action["domain"]).case_id, self.c6 | self.c7 | self.c11)  # a rate opens its population

    @staticmethod
    def _png():
        return sample_file("png")
