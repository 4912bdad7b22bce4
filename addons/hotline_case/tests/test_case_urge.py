from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HotlineCaseCommon


@tagged("post_install", "-at_install")
class TestCaseUrge(HotlineCaseCommon):

    def setUp(self):
        super().setUp()
        # reminders are written in the unit's language: these units work in English
        (self.unit_user_a | self.unit_user_b | self.portal_a).lang = "en_US"

    def _activities(self, case):
        return self.env["mail.activity"].search([("res_model", "=", "hotline.case"), ("res_id", "=", case.id)])

    def test_cron_urges_overdue_once_a_day(self):
        with freeze_time("2026-11-27 15:00:00"):
            case = self._dispatched_case()
            on_time = self._dispatched_case(unit=self.unit_b, caller_phone="13700000006", caller_name="甲")
        with freeze_time("2026-11-30 16:00:00"):  # sign-for deadline passed at 15:00
            self.env["hotline.case"]._cron_urge_cases()
            self.assertEqual(case.urge_count, 1)
            activity = self._activities(case)
            self.assertEqual(activity.user_id, self.unit_user_a, "internal members get an activity")
            self.assertEqual(activity.activity_type_id, self.env.ref("hotline_case.mail_activity_type_urge"))
            message = case.message_ids.filtered(lambda m: self.portal_a.partner_id in m.partner_ids
                                                and "deadline" in m.body)
            self.assertTrue(message, "portal members are notified by message")
            self.assertEqual(case.sudo().log_ids.sorted("id")[-1].action, "auto_urge")
            # on_time was overdue too (same deadlines); accept it to leave the window
        with freeze_time("2026-11-30 20:00:00"):
            self.env["hotline.case"]._cron_urge_cases()
            self.assertEqual(case.urge_count, 1, "not urged twice within a day")
        with freeze_time("2026-12-01 17:00:00"):
            self.env["hotline.case"]._cron_urge_cases()
            self.assertEqual(case.urge_count, 2)
        self.assertEqual(on_time.urge_count, 2)

    def test_cron_ignores_far_and_finished_cases(self):
        with freeze_time("2026-11-23 09:00:00"):  # Monday
            case = self._processing_case()
        with freeze_time("2026-11-24 09:00:00"):
            self.env["hotline.case"]._cron_urge_cases()
            self.assertEqual(case.urge_count, 0, "deadline is days away")
        closed = self._callback_case()
        closed.sudo().deadline = datetime(2020, 1, 1)
        self.env["hotline.case"]._cron_urge_cases()
        self.assertEqual(closed.urge_count, 0)

    def test_cron_urges_near_deadline(self):
        with freeze_time("2026-11-23 09:00:00"):
            case = self._processing_case()  # 10 working days from Tuesday: Mon 7 Dec 17:00
        self.assertEqual(case.deadline, datetime(2026, 12, 7, 17, 0))
        with freeze_time("2026-12-07 08:00:00"):
            self.env["hotline.case"]._cron_urge_cases()
            self.assertEqual(case.urge_count, 1)
            self.assertIn("close to its deadline", case.message_ids[0].body)

    def test_manual_urge(self):
        case = self._processing_case()
        with self.assertRaises(AccessError):
            case.with_user(self.dispatcher).action_urge()
        case.with_user(self.reviewer).action_urge()
        case.with_user(self.manager).action_urge(note="请今日内处理完毕")
        self.assertEqual(case.urge_count, 2)
        self.assertEqual(len(self._activities(case)), 2)
        self.assertEqual(case.sudo().log_ids.sorted("id")[-1].note, "请今日内处理完毕")
        draft = self._new_case()
        with self.assertRaises(UserError):
            draft.with_user(self.reviewer).action_urge()

    def test_cron_job_exists(self):
        cron = self.env.ref("hotline_case.ir_cron_hotline_case_urge")
        self.assertTrue(cron.active)
        self.assertEqual(cron.model_id.model, "hotline.case")
        self.assertEqual(cron.code.strip(), "model._cron_urge_cases()")

    def test_cron_reminder_in_the_units_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        (self.unit_user_a | self.portal_a).lang = "zh_CN"
        with freeze_time("2026-11-23 09:00:00"):
            case = self._processing_case()
        with freeze_time("2026-12-07 08:00:00"):
            # the scheduled job runs as OdooBot, whose language is English
            self.env["hotline.case"].with_user(self.env.ref("base.user_root")).with_context(lang="en_US") \
                .sudo()._cron_urge_cases()
        message = case.message_ids.filtered(lambda m: self.portal_a.partner_id in m.partner_ids)[:1]
        self.assertIn("即将到期", message.body)
        self.assertNotIn("deadline", message.body)
        activity = self._activities(case)
        self.assertIn("即将到期", str(activity.note))
