from datetime import datetime
from unittest.mock import patch

import psycopg2.errors
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models import hotline_case as hotline_case_module
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

    def _overdue_cases(self, count):
        with freeze_time("2026-11-27 15:00:00"):
            cases = self.env["hotline.case"]
            for i in range(count):
                cases |= self._dispatched_case(caller_phone=f"1370000010{i}", caller_name=f"催{i}")
        return cases

    def test_cron_leaves_a_case_changed_meanwhile(self):
        """A case a user changed since the job's transaction began (a serialization failure on its write) is
        left for the next run, whole; the others are urged."""
        cases = self._overdue_cases(3)
        changed = cases[1]
        real = type(changed)._urge

        def urge(records, message, action):
            real(records, message, action)
            if records == changed:
                records.env.flush_all()
                raise psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")

        with freeze_time("2026-11-30 16:00:00"), patch.object(type(changed), "_urge", urge):
            self.env["hotline.case"]._cron_urge_cases()
        self.assertEqual(cases.mapped("urge_count"), [1, 0, 1])
        self.assertFalse(changed.sudo().log_ids.filtered(lambda log: log.action == "auto_urge"))
        self.assertFalse(self._activities(changed), "nothing of its urging is left")
        self.assertFalse(changed.last_urge_date)
        with freeze_time("2026-11-30 17:00:00"):
            self.env["hotline.case"]._cron_urge_cases()
        self.assertEqual(cases.mapped("urge_count"), [1, 1, 1], "the next run takes it")

    def test_cron_commits_each_batch_as_a_job(self):
        """Run as the scheduled job, each batch is committed with its progress; when the job's time is up the
        rest wait for the next run."""
        cases = self._overdue_cases(3)
        progress = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            progress.append((processed, remaining))
            return 0.0 if len(progress) == 1 and time_up else 60.0

        job = self.env["hotline.case"].with_context(ir_cron_progress_id=1)
        with freeze_time("2026-11-30 16:00:00"):  # the database's other due cases urged an hour ago
            others = self.env["hotline.case"].search(self.env["hotline.case"]._auto_urge_domain()) - cases
            others.sudo().last_urge_date = datetime(2026, 11, 30, 15, 0)
        with patch.object(hotline_case_module, "URGE_BATCH", 2), \
                patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress):
            time_up = True
            with freeze_time("2026-11-30 16:00:00"):
                job._cron_urge_cases()
            self.assertEqual(progress, [(2, 1)])
            self.assertEqual(sorted(cases.mapped("urge_count")), [0, 1, 1])
            time_up, progress[:] = False, []
            with freeze_time("2026-11-30 16:30:00"):
                job._cron_urge_cases()
            self.assertEqual(progress, [(1, 0)], "only the one left was still due")
        self.assertEqual(cases.mapped("urge_count"), [1, 1, 1])
        # called outside the job (by hand, or a test), nothing is committed halfway
        progress[:] = []
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress), \
                freeze_time("2026-12-02 16:00:00"):
            self.env["hotline.case"]._cron_urge_cases()
        self.assertEqual(progress, [])
        self.assertEqual(cases.mapped("urge_count"), [2, 2, 2])
