from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import HotlineCaseCommon

# 2026-11-27 is a Friday; the test calendar works Mon-Fri 8-12 and 13-17 UTC.
FRIDAY_15H = "2026-11-27 15:00:00"


@tagged("post_install", "-at_install")
class TestCaseDeadline(HotlineCaseCommon):

    def test_deadline_across_weekend(self):
        with freeze_time(FRIDAY_15H):
            case = self._dispatched_case()
        # 8 working hours to sign for: 2 h on Friday, 4 h + 2 h on Monday
        self.assertEqual(case.sign_deadline, datetime(2026, 11, 30, 15, 0))
        # 10 working days counted from the next day: Mon 30 Nov ... Fri 11 Dec, end of day
        self.assertEqual(case.deadline, datetime(2026, 12, 11, 17, 0))

    def test_dispatch_on_saturday(self):
        self.rule_default.write({"sign_hours": 1, "finish_amount": 2})
        with freeze_time("2026-11-28 10:00:00"):
            case = self._dispatched_case()
        self.assertEqual(case.sign_deadline, datetime(2026, 11, 30, 9, 0))
        self.assertEqual(case.deadline, datetime(2026, 12, 1, 17, 0))

    def test_hours_rule_runs_around_the_clock(self):
        self.env["hotline.deadline.rule"].create({
            "urgency": "critical", "sign_hours": 1, "finish_amount": 24, "finish_unit": "hours",
        })
        with freeze_time(FRIDAY_15H):
            case = self._dispatched_case(urgency="critical")
        self.assertEqual(case.deadline, datetime(2026, 11, 28, 15, 0))
        self.assertEqual(case.sign_deadline, datetime(2026, 11, 27, 16, 0))

    def test_most_specific_rule_wins(self):
        Rule = self.env["hotline.deadline.rule"]
        by_type = Rule.create({"type_id": self.type_complaint.id, "finish_amount": 15, "sequence": 1})
        by_parent_category = Rule.create({"category_id": self.cat_water.id, "finish_amount": 5, "sequence": 20})
        by_category = Rule.create({"category_id": self.cat_no_water.id, "finish_amount": 3, "sequence": 30})
        by_category_urgent = Rule.create({"category_id": self.cat_no_water.id, "urgency": "urgent",
                                          "finish_amount": 1, "sequence": 40})
        find = Rule._find_rule
        self.assertEqual(find(self.type_complaint, self.cat_no_water, "normal"), by_category)
        self.assertEqual(find(self.type_complaint, self.cat_no_water, "urgent"), by_category_urgent)
        self.assertEqual(find(self.type_complaint, self.cat_water, "normal"), by_parent_category)
        self.assertEqual(find(self.type_complaint, self.cat_road, "normal"), by_type)
        self.assertEqual(find(self.type_consult, self.cat_road, "normal"), self.rule_default)
        with freeze_time(FRIDAY_15H):
            case = self._dispatched_case(urgency="urgent")
        self.assertEqual(case.deadline, datetime(2026, 11, 30, 17, 0))

    def test_no_rule_no_deadline(self):
        self.env["hotline.deadline.rule"].search([]).active = False
        case = self._dispatched_case()
        self.assertFalse(case.deadline)
        self.assertFalse(case.overdue)

    def test_extension_moves_deadline_in_working_days(self):
        with freeze_time(FRIDAY_15H):
            case = self._processing_case()
            case.with_user(self.unit_user_a).action_request_extension(days=2, reason="等待配件")
            case.with_user(self.reviewer).action_approve_extension()
        # Fri 11 Dec + 2 working days: Mon 14, Tue 15
        self.assertEqual(case.deadline, datetime(2026, 12, 15, 17, 0))
        self.assertEqual(case.sudo().log_ids.sorted("id")[-1].action, "approve_extension")

    def test_overdue_and_near_deadline_search(self):
        with freeze_time(FRIDAY_15H):
            case = self._dispatched_case()
        Case = self.env["hotline.case"].with_user(self.agent)
        with freeze_time("2026-11-30 10:00:00"):
            self.assertTrue(case.near_deadline, "sign-for deadline in 5 hours")
            self.assertFalse(case.overdue)
            self.assertIn(case, Case.search([("near_deadline", "=", True)]))
            self.assertNotIn(case, Case.search([("overdue", "=", True)]))
        with freeze_time("2026-11-30 16:00:00"):
            case.invalidate_recordset(["overdue", "near_deadline"])
            self.assertTrue(case.overdue, "not signed for in time")
            self.assertIn(case, Case.search([("overdue", "=", True)]))
            self.assertNotIn(case, Case.search([("overdue", "=", False)]))
            self.assertNotIn(case, Case.search([("near_deadline", "=", True)]))
            case.with_user(self.unit_user_a).action_accept()
            case.invalidate_recordset(["overdue", "near_deadline"])
            self.assertFalse(case.overdue, "signed for: only the finish deadline counts")
            self.assertIn(case, Case.search([("overdue", "=", False)]))
        with freeze_time("2026-12-12 09:00:00"):
            self.assertIn(case, Case.search([("overdue", "=", True)]))
        closed = self._callback_case()
        closed.sudo().deadline = datetime(2020, 1, 1)
        self.assertNotIn(closed, Case.search([("overdue", "=", True)]), "finished cases are never overdue")


@tagged("post_install", "-at_install")
class TestCaseExtensionRedispatch(HotlineCaseCommon):
    """An approved extension across 退回重办 (USAGE.md: the rule), and the unit told of every new deadline."""

    def _extended_then_rejected(self):
        with freeze_time(FRIDAY_15H):
            case = self._processing_case()
            case.with_user(self.unit_user_a).action_request_extension(days=5, reason="等待配件")
            case.with_user(self.reviewer).action_approve_extension()
        self.assertEqual(case.deadline, datetime(2026, 12, 18, 17, 0))
        with freeze_time("2026-12-01 10:00:00"):
            case.with_user(self.unit_user_a).action_submit(note="已修复。")
            case.with_user(self.reviewer).action_review_reject(note="未修复，请重办。")
        return case

    def setUp(self):
        super().setUp()
        # what the case tells the unit goes through one hook (the portal sends its mail templates from it)
        self.notified = []
        Case = type(self.env["hotline.case"])
        hook = Case._notify_unit

        def record(case, kind, message):
            self.notified.append((case.id, kind, str(message)))
            return hook(case, kind, message)
        patcher = patch.object(Case, "_notify_unit", record)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _last_notice(self, case, kind):
        notices = [message for case_id, k, message in self.notified if case_id == case.id and k == kind]
        self.assertTrue(notices, f"the unit is told ({kind})")
        return notices[-1]

    def test_same_unit_keeps_the_extended_deadline(self):
        case = self._extended_then_rejected()
        with freeze_time("2026-12-01 11:00:00"):
            case.with_user(self.dispatcher).action_dispatch()
        # a fresh limit would end on Tue 15 Dec: the extension granted before (Fri 18 Dec) is kept
        self.assertEqual(case.deadline, datetime(2026, 12, 18, 17, 0))
        self.assertEqual(case.extension_state, "approved")
        self.assertIn("2026-12-18 17:00", self._last_notice(case, "dispatch"),
                      "the unit is told which deadline applies")

    def test_later_fresh_limit_wins(self):
        case = self._extended_then_rejected()
        with freeze_time("2026-12-10 11:00:00"):
            case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(case.deadline, datetime(2026, 12, 24, 17, 0))
        self.assertEqual(case.extension_state, "none")

    def test_other_unit_starts_fresh(self):
        case = self._extended_then_rejected()
        case.with_user(self.dispatcher).unit_id = self.unit_b
        with freeze_time("2026-12-01 11:00:00"):
            case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(case.deadline, datetime(2026, 12, 15, 17, 0))
        self.assertEqual(case.extension_state, "none")
        self.assertIn("2026-12-15 17:00", self._last_notice(case, "dispatch"))

    def test_unit_told_of_extension_decisions(self):
        with freeze_time(FRIDAY_15H):
            case = self._processing_case()
            case.with_user(self.unit_user_a).action_request_extension(days=2, reason="等待配件")
            case.with_user(self.reviewer).action_reject_extension(note="理由不充分")
            self.assertIn("2026-12-11 17:00", self._last_notice(case, "reject_extension"))
            case.with_user(self.unit_user_a).action_request_extension(days=2, reason="配件到货需两天")
            case.with_user(self.reviewer).action_approve_extension()
        self.assertIn("2026-12-15 17:00", self._last_notice(case, "approve_extension"))

    def test_deadline_shown_in_the_center_time_zone(self):
        self.calendar.tz = "Asia/Shanghai"
        with freeze_time(FRIDAY_15H):
            case = self._dispatched_case()
        local = case._local_time(case.deadline)
        self.assertEqual(local[-5:], "17:00", "the end of the working day, Beijing time")
        self.assertIn(local, self._last_notice(case, "self_dispatch"))

    def test_short_time_limit_not_near_at_once(self):
        self.env["hotline.deadline.rule"].create({
            "urgency": "critical", "sign_hours": 1, "finish_amount": 24, "finish_unit": "hours",
        })
        Case = self.env["hotline.case"].with_user(self.agent)
        with freeze_time(FRIDAY_15H):
            case = self._dispatched_case(urgency="critical")
            case.with_user(self.unit_user_a).action_accept()
            self.assertFalse(case.near_deadline, "24 h to go out of 24 h is not near")
            self.assertNotIn(case, Case.search([("near_deadline", "=", True)]))
        with freeze_time("2026-11-28 04:00:00"):
            case.invalidate_recordset(["near_deadline"])
            self.assertTrue(case.near_deadline, "11 h left of 24 h: the second half")
            self.assertIn(case, Case.search([("near_deadline", "=", True)]))
            self.assertNotIn(case, Case.search([("near_deadline", "!=", True)]))
