from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HotlineSmsCommon


@tagged("post_install", "-at_install")
class TestSmsGateways(HotlineSmsCommon):
    """Aliyun unless a test switches to Tencent."""

    def _use_tencent(self):
        self.env.company.write({"hotline_sms_provider": "tencent", "hotline_sms_endpoint": self.tencent.endpoint})

    def test_intake_text_once_with_case_number_and_code(self):
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        self.assertEqual(len(message), 1)
        code = case.hotline_retrieval_code
        self.assertRegex(code, r"^\d{6}$")
        self.assertIn(case.name, message.body)
        self.assertIn(code, message.body)
        sms = self._send_queue()
        self.assertEqual(self.gateway.sent, [(message.uuid, "13812345678", "SMS_12319001",
                                              {"case": case.name, "code": code})])
        self.assertEqual(self.gateway.bad_signatures, 0)
        self.assertEqual(message.state, "sent")
        self.assertTrue(message.provider_ref)
        self.assertEqual(sms.state, "pending")
        # the same step again, and Odoo's "resend" of the same SMS: the citizen is not texted twice
        self.env["hotline.sms.message"]._queue(case, "intake", {"case": case.name, "code": code})
        sms.state = "outgoing"
        self._send_queue()
        self.assertEqual(len(self.gateway.sent), 1)
        self.assertEqual(len(self._messages(case, "intake")), 1)

    def test_batch_sent_in_parallel_nothing_lost_nothing_twice(self):
        self.gateway.throttle_next, self.gateway.drop_next = 2, 1
        cases = [self._dispatched_case(caller_phone=f"1380000{i:04d}") for i in range(12)]
        messages = self.env["hotline.sms.message"].search([("case_id", "in", [case.id for case in cases])])
        self._send_queue()
        states = sorted(messages.mapped("state"))
        self.assertEqual(states, ["retry"] * 2 + ["sent"] * 10, "two throttled, the dropped answer left sent")
        self.assertEqual(len(messages.filtered("uncertain")), 1)
        with patch.object(fields.Datetime, "now", return_value=datetime.now() + timedelta(minutes=2)):
            self.env["hotline.sms.message"]._cron_dispatch()
        self._send_queue()
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertEqual(sorted(self.gateway.ids_sent()), sorted(messages.mapped("uuid")), "each text once")
        self.assertEqual(len(set(messages.filtered("provider_ref").mapped("provider_ref"))), 11)

    def test_landline_confidential_and_optout_get_no_text(self):
        landline = self._dispatched_case(caller_phone="0931-8812345")
        self.assertFalse(self._messages(landline))
        self.assertRegex(landline.with_user(self.agent).hotline_retrieval_code, r"^\d{6}$",
                         "the agent reads the code out to a landline caller")
        secret = self._dispatched_case(caller_phone="13900001111", confidential=True)
        self.assertFalse(self._messages(secret))
        agreed = self._dispatched_case(caller_phone="13900002222", confidential=True, hotline_sms_consent=True)
        self.assertEqual(len(self._messages(agreed)), 1)
        imported = self._dispatched_case(caller_phone="13900004444", date_received=datetime.now() - timedelta(days=30))
        self.assertFalse(self._messages(imported), "a case taken a month ago (imported) is not texted now")
        self.env["hotline.sms.optout"].create({"number": "13900003333"})
        self.assertFalse(self._messages(self._dispatched_case(caller_phone="13900003333")))

    def test_result_and_survey_on_approval_each_switchable(self):
        self.env.ref("hotline_sms.template_result").active = False
        case = self._callback_case()
        self.assertFalse(self._messages(case, "result"))
        survey = self._messages(case, "survey")
        self.assertEqual(len(survey), 1)
        self.assertIn("回复1非常满意", survey.body)
        self.assertIn(case.name, survey.body)

    def test_units_and_other_users_do_not_read_texts_or_codes(self):
        case = self._dispatched_case()
        for user in (self.unit_user_a, self.portal_a):
            with self.assertRaises(AccessError):
                self.env["hotline.sms.message"].with_user(user).search([]).read(["number"])
            self.assertNotIn("hotline_retrieval_code", case.with_user(user).fields_get())
        self.assertTrue(self.env["hotline.sms.message"].with_user(self.agent).search([("case_id", "=", case.id)]))

    def test_secret_is_masked_for_admin_and_hidden_from_others(self):
        admin_view = self.env.company.with_user(self.env.ref("base.user_admin")).read(["hotline_sms_access_secret"])
        self.assertEqual(admin_view[0]["hotline_sms_access_secret"], "••••••••")
        with self.assertRaises(AccessError):
            self.env.company.with_user(self.manager).read(["hotline_sms_access_secret"])

    def test_rate_limited_gateway_retried_with_backoff(self):
        self.gateway.throttle_next = 1
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        sms = self._send_queue()
        self.assertEqual((message.state, sms.state, sms.failure_type), ("retry", "error", "hotline_rate_limited"))
        self.assertEqual(message.attempt, 1)
        self.assertAlmostEqual(message.next_try, fields.Datetime.now() + timedelta(seconds=60),
                               delta=timedelta(seconds=5))
        self.env["hotline.sms.message"]._cron_dispatch()
        self.assertEqual(message.state, "retry", "not before the back-off")
        with patch.object(fields.Datetime, "now", return_value=message.next_try + timedelta(seconds=1)):
            self.env["hotline.sms.message"]._cron_dispatch()
        self.assertEqual(sms.state, "outgoing")
        self.gateway.fail_next = 1  # the gateway's own failure next time: again later, with a longer wait
        self._send_queue()
        self.assertEqual((message.state, message.attempt), ("retry", 2))
        self.assertGreater(message.next_try, fields.Datetime.now() + timedelta(seconds=100))
        with patch.object(fields.Datetime, "now", return_value=message.next_try + timedelta(seconds=1)):
            self.env["hotline.sms.message"]._cron_dispatch()
        self._send_queue()
        self.assertEqual(message.state, "sent")
        self.assertEqual(self.gateway.ids_sent(), [message.uuid])

    def test_gave_up_after_attempts_and_final_errors_not_retried(self):
        self.gateway.fail_next = 10
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        for _attempt in range(5):
            self._send_queue()
            with patch.object(fields.Datetime, "now", return_value=datetime.now() + timedelta(days=1)):
                self.env["hotline.sms.message"]._cron_dispatch()
        self.assertEqual((message.state, message.attempt), ("failed", 5))
        self.assertEqual(self.gateway.sent, [])
        # wrong credentials: a person must fix them, no retry
        self.env.company.hotline_sms_access_secret = "wrong"
        other = self._dispatched_case(caller_phone="13700001234")
        sms = self._send_queue()
        other_message = self._messages(other, "intake")
        self.assertEqual(other_message.state, "failed")
        self.assertEqual(sms.filtered(lambda s: s.hotline_message_id == other_message).failure_type, "sms_acc")
        self.assertGreaterEqual(self.gateway.bad_signatures, 1)

    def test_lost_answer_never_resent_and_settled_by_receipt(self):
        self.gateway.drop_next = 1
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        sms = self._send_queue()
        self.assertEqual((message.state, message.uncertain), ("sent", True))
        self.assertEqual(sms.state, "process")
        self.env["hotline.sms.message"]._cron_dispatch()
        self._send_queue()
        self.assertEqual(self.gateway.ids_sent(), [message.uuid], "gateway took it once: never texted twice")
        self.env["hotline.sms.message"]._receive_receipts(
            self.env.company, [{"uuid": message.uuid, "delivered": True, "code": "DELIVERED"}])
        self.assertEqual((message.state, message.uncertain, sms.state), ("delivered", False, "sent"))

    def test_unreachable_and_slow_gateway(self):
        self.env.company.hotline_sms_endpoint = "http://127.0.0.1:9"  # discard port: connection refused
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        self._send_queue()
        self.assertEqual(message.state, "retry")
        self.env.company.hotline_sms_endpoint = self.gateway.endpoint
        self.gateway.delay = 0.3
        with patch.object(fields.Datetime, "now", return_value=message.next_try + timedelta(seconds=1)):
            self.env["hotline.sms.message"]._cron_dispatch()
        self._send_queue()
        self.assertEqual((message.state, self.gateway.ids_sent()), ("sent", [message.uuid]))

    def test_failed_receipt_maps_to_not_delivered(self):
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        sms = self._send_queue()
        self.env["hotline.sms.message"]._receive_receipts(
            self.env.company, [{"ref": message.provider_ref, "delivered": False, "code": "MK:0001"}])
        self.assertEqual((message.state, sms.state, sms.failure_type), ("failed", "error", "sms_not_delivered"))

    def test_quiet_hours_hold_texts_until_morning(self):
        # the test calendar is in UTC: quiet from 21:00 to 08:00
        self.env.company.write({"hotline_sms_quiet_start": 21.0, "hotline_sms_quiet_end": 8.0})
        night = datetime(2026, 12, 7, 23, 30)
        with patch.object(fields.Datetime, "now", return_value=night):
            case = self._dispatched_case()
        message = self._messages(case, "intake")
        self.assertEqual(message.date_due, datetime(2026, 12, 8, 8, 0))
        self.assertFalse(self.env["sms.sms"].search([("hotline_message_id", "=", message.id)]))
        with patch.object(fields.Datetime, "now", return_value=datetime(2026, 12, 8, 7, 59)):
            self.env["hotline.sms.message"]._cron_dispatch()
        self.assertFalse(self.env["sms.sms"].search([("hotline_message_id", "=", message.id)]))
        with patch.object(fields.Datetime, "now", return_value=datetime(2026, 12, 8, 8, 1)):
            self.env["hotline.sms.message"]._cron_dispatch()
        self._send_queue()
        self.assertEqual(self.gateway.ids_sent(), [message.uuid])
        self.assertEqual(self.env["hotline.sms.message"]._due_date(self.env.company, datetime(2026, 12, 8, 6)),
                         datetime(2026, 12, 8, 8, 0), "after midnight: the same morning")
        self.assertEqual(self.env["hotline.sms.message"]._due_date(self.env.company, datetime(2026, 12, 8, 12)),
                         datetime(2026, 12, 8, 12, 0))

    def test_plain_odoo_sms_without_template_is_refused_by_chinese_gateway(self):
        sms = self.env["sms.sms"].create({"number": "13812345678", "body": "自由文本"})
        sms.send(unlink_sent=False, unlink_failed=False)
        self.assertEqual((sms.state, sms.failure_type), ("error", "hotline_template"))
        self.assertEqual(self.gateway.sent, [])


    def test_intake_text_through_tencent(self):
        self._use_tencent()
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        self._send_queue()
        self.assertEqual(self.tencent.sent, [(message.uuid, "+8613812345678", "SMS_12319001",
                                              [case.name, case.hotline_retrieval_code])])
        self.assertEqual(message.state, "sent")
        self.env["hotline.sms.message"]._receive_receipts(
            self.env.company, [{"ref": message.provider_ref, "delivered": True, "code": "DELIVRD"}])
        self.assertEqual(message.state, "delivered")

    def test_tencent_limits_and_credentials(self):
        self._use_tencent()
        self.tencent.throttle_next = 1
        case = self._dispatched_case()
        message = self._messages(case, "intake")
        sms = self._send_queue()
        self.assertEqual((message.state, sms.failure_type), ("retry", "hotline_rate_limited"))
        self.env.company.hotline_sms_access_secret = "wrong"
        with patch.object(fields.Datetime, "now", return_value=message.next_try + timedelta(seconds=1)):
            self.env["hotline.sms.message"]._cron_dispatch()
        self._send_queue()
        self.assertEqual((message.state, sms.failure_type), ("failed", "sms_acc"))
        self.assertEqual(self.tencent.sent, [])
