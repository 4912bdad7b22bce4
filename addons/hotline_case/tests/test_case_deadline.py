from datetime import datetime

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
