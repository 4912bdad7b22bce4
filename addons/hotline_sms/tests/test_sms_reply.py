import ast
import html
import re
from datetime import datetime, timedelta

from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from odoo.tests import tagged

from . import gateway
from .common import HotlineSmsCommon


@tagged("post_install", "-at_install")
class TestSmsReply(HotlineSmsCommon):

    def _reply(self, content, number="13812345678"):
        return self.env["hotline.sms.reply"]._receive(self.env.company, [{"number": number, "content": content}])

    def test_satisfied_reply_closes_the_case_as_a_callback_would(self):
        case = self._surveyed_case()
        reply = self._reply("1")
        self.assertEqual((reply.outcome, reply.case_id), ("evaluated", case))
        self.assertEqual((case.state, case.satisfaction, case.hotline_evaluation_channel),
                         ("closed", "very_satisfied", "sms"))
        self.assertIn("callback_done", case.log_ids.mapped("action"))
        self.assertTrue(case.date_closed)
        # a second answer to the same survey changes nothing
        self.assertEqual(self._reply("5").outcome, "late")
        self.assertEqual(case.satisfaction, "very_satisfied")

    def test_phone_callback_is_counted_as_phone(self):
        case = self._surveyed_case()
        case.with_user(self.agent).action_callback_done(satisfaction="satisfied", note="电话回访：满意")
        self.assertEqual(case.hotline_evaluation_channel, "phone")
        self.assertEqual(self._reply("1").outcome, "late", "a reply after the phone callback is late")
        self.assertEqual(case.satisfaction, "satisfied")

    def test_full_width_digits_and_extra_words(self):
        case = self._surveyed_case()
        reply = self._reply("我选２，谢谢你们！")
        self.assertEqual((reply.outcome, case.satisfaction), ("evaluated", "satisfied"))
        other = self._surveyed_case(phone="13912345678")
        self.assertEqual(self._reply("基本满意吧", number="+86 139 1234 5678").outcome, "evaluated")
        self.assertEqual(other.satisfaction, "basically_satisfied")

    def test_dissatisfied_reply_opens_a_callback_task_for_the_agent(self):
        case = self._surveyed_case()
        reply = self._reply("4 路面还是没修好")
        self.assertEqual((reply.outcome, case.state, case.satisfaction), ("callback", "callback", "dissatisfied"))
        activity = case.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref("hotline_sms.mail_activity_type_sms_dissatisfied"))
        self.assertEqual(activity.user_id, self.agent)
        # the agent calls back and the case is redone (重办); the redone result is surveyed again
        case.with_user(self.agent).action_reopen(note="市民不满意，重办")
        self.assertEqual(case.state, "pool")

    def test_very_dissatisfied_word_is_not_read_as_satisfied(self):
        case = self._surveyed_case()
        self.assertEqual(self._reply("非常不满意").satisfaction, "very_dissatisfied")
        self.assertEqual(case.state, "callback")

    def test_two_open_surveys_latest_wins_unless_a_case_number_is_quoted(self):
        first = self._surveyed_case()
        second = self._surveyed_case()
        self.assertEqual(self._reply("3").case_id, second)
        self.assertEqual(second.satisfaction, "basically_satisfied")
        self.assertEqual(first.state, "callback")
        # quoting the first case's number (with its digits in it) answers that one
        reply = self._reply(f"{first.name} 回复1")
        self.assertEqual((reply.case_id, reply.outcome, first.satisfaction), (first, "evaluated", "very_satisfied"))

    def test_extend_code_names_the_survey(self):
        self.env.company.hotline_sms_extend_codes = True
        first = self._surveyed_case()
        second = self._surveyed_case()
        first_survey, second_survey = self._messages(first, "survey"), self._messages(second, "survey")
        self.assertNotEqual(first_survey.extend_code, second_survey.extend_code)
        self.assertEqual(self.gateway.extend_codes[first_survey.uuid], first_survey.extend_code, "sent with it")
        replies = self.env["hotline.sms.reply"]._receive(self.env.company, [
            {"number": "13812345678", "content": "2", "extend": first_survey.extend_code}])
        self.assertEqual((replies.case_id, first.state, second.state), (first, "closed", "callback"))
        # an extend code no survey of this number has: the latest open one, as without codes
        self.assertEqual(self.env["hotline.sms.reply"]._receive(self.env.company, [
            {"number": "13812345678", "content": "1", "extend": "9999"}]).case_id, second)

    def test_quoted_number_wins_over_the_latest(self):
        first = self._surveyed_case()
        second = self._surveyed_case()
        self.assertEqual(self._reply(f"工单{first.name}：2").case_id, first)
        self.assertEqual(second.state, "callback")

    def test_quoting_a_case_not_surveyed_to_this_number_does_nothing(self):
        mine = self._surveyed_case()
        theirs = self._surveyed_case(phone="13698765432")
        reply = self._reply(f"{theirs.name} 5")
        self.assertEqual((reply.outcome, theirs.state, theirs.satisfaction), ("unmatched", "callback", False))
        self.assertEqual(mine.state, "callback")

    def test_unknown_number_ambiguous_and_out_of_range_replies(self):
        case = self._surveyed_case()
        self.assertEqual(self._reply("1", number="13000000000").outcome, "unmatched")
        self.assertEqual(self._reply("1或者2").outcome, "invalid")
        self.assertEqual(self._reply("7").outcome, "invalid")
        self.assertEqual(self._reply("好的").outcome, "invalid")
        self.assertEqual(case.state, "callback")

    def test_td_opts_out_at_once_and_for_good(self):
        case = self._surveyed_case()
        self.env.company.write({"hotline_sms_quiet_start": 0.0, "hotline_sms_quiet_end": 23.99})
        held = self._dispatched_case()  # queued for the morning
        held_message = self._messages(held, "intake")
        self.assertEqual(held_message.state, "queued")
        self.assertEqual(self._reply("ＴＤ").outcome, "optout")
        self.assertEqual(held_message.state, "cancelled")
        self.assertEqual(case.state, "callback")
        self.assertFalse(self._messages(self._dispatched_case(), "intake"))
        self.assertEqual(self._reply("退订").outcome, "optout")
        self.assertEqual(self.env["hotline.sms.optout"].search_count([("number", "=", "13812345678")]), 1)

    def test_figures_known_answer(self):
        start = datetime.now() - timedelta(hours=1)
        delivered = self._surveyed_case()                         # intake, result, survey sent
        self.env.company.hotline_sms_access_secret = "revoked"      # refused by the gateway: failed for good
        self._surveyed_case(phone="13911112222")
        self.env.company.hotline_sms_access_secret = gateway.ACCESS_SECRET
        survey = self._messages(delivered, "survey")
        self.env["hotline.sms.message"]._receive_receipts(self.env.company, [{"uuid": survey.uuid, "delivered": True}])
        self._reply("1")                                          # evaluated by SMS: a callback avoided
        by_phone = self._surveyed_case(phone="13822223333")
        by_phone.with_user(self.agent).action_callback_done(satisfaction="satisfied", note="电话回访：满意")
        unhappy = self._surveyed_case(phone="13833334444")
        self._reply("5", number="13833334444")                    # SMS rating, then the agent calls back
        unhappy.with_user(self.agent).action_callback_done(note="电话回访：仍不满意，已解释")
        self._surveyed_case(phone="13844445555")                  # survey never answered
        figures = self.env["hotline.sms.message"]._figures(start, datetime.now() + timedelta(hours=1))
        totals = {}
        for row in figures["per_day"]:
            for key in ("made", "sent", "delivered", "failed"):
                totals.setdefault(row["kind"], dict.fromkeys(("made", "sent", "delivered", "failed"), 0))
                totals[row["kind"]][key] += row[key]
        self.assertEqual(totals["survey"], {"made": 5, "sent": 4, "delivered": 1, "failed": 1})
        self.assertEqual(totals["intake"], {"made": 5, "sent": 4, "delivered": 0, "failed": 1})
        self.assertEqual((figures["surveys_sent"], figures["surveys_answered"]), (4, 2))
        self.assertEqual(figures["survey_response_rate"], 0.5)
        self.assertEqual((figures["evaluations_by_sms"], figures["evaluations_by_phone"]), (2, 1))
        self.assertAlmostEqual(figures["sms_share"], 2 / 3)
        self.assertEqual((figures["callbacks_avoided"], figures["minutes_saved"]), (1, 3.0))
        self.assertEqual(unhappy.satisfaction, "very_dissatisfied", "the SMS rating stands after the call")


@tagged("post_install", "-at_install")
class TestSmsNoReply(HotlineSmsCommon):
    """A survey out keeps the case off the agents' callback list for the reply days; then it is there again,
    and the job gives its agent a call-back task."""

    def _callback_list(self):
        """The agents' callback list: the 'To Call Back' filter of the case search, as the menu opens it."""
        view = self.env.ref("hotline_case.hotline_case_view_search")
        arch = self.env["hotline.case"].get_views([(view.id, "search")])["views"]["search"]["arch"]
        domain = re.search(r'name="callback"[^>]*domain="([^"]+)"', arch) or \
            re.search(r'domain="([^"]+)"[^>]*name="callback"', arch)
        return self.env["hotline.case"].with_user(self.agent).search(
            ast.literal_eval(html.unescape(domain.group(1))))

    def test_no_reply_in_time_goes_to_the_callback_list(self):
        self.env.company.hotline_sms_reply_days = 2
        case = self._surveyed_case()
        survey = self._messages(case, "survey")
        self.assertEqual(survey.state, "sent")
        self.assertTrue(case.hotline_sms_awaiting_reply)
        self.assertNotIn(case, self._callback_list(), "the citizen may still answer")
        self.assertIn(case, self.env["hotline.case"].search([("hotline_sms_awaiting_reply", "=", True)]))
        Message = self.env["hotline.sms.message"]
        self.assertEqual(Message._cron_survey_no_reply(), 0, "within the reply days nothing happens")
        # two days later, still no reply
        survey.date_sent = datetime.now() - timedelta(days=2, minutes=1)
        self.assertIn(case, self._callback_list(), "the list follows the clock, not the job's next run")
        self.assertFalse(case.activity_ids)
        self.assertEqual(Message._cron_survey_no_reply(), 1)
        self.assertTrue(survey.expired)
        case.invalidate_recordset(["hotline_sms_awaiting_reply"])
        self.assertFalse(case.hotline_sms_awaiting_reply)
        self.assertIn(case, self._callback_list())
        activity = case.activity_ids
        self.assertEqual((activity.activity_type_id, activity.user_id),
                         (self.env.ref("hotline_sms.mail_activity_type_sms_no_reply"), self.agent))
        # the job runs again: one task, not two
        self.assertEqual(Message._cron_survey_no_reply(), 0)
        self.assertEqual(len(case.activity_ids), 1)
        # a reply coming late is still taken as the citizen's evaluation by the same rules
        self.env["hotline.sms.reply"]._receive(self.env.company, [{"number": "13812345678", "content": "2"}])
        self.assertEqual((case.state, case.satisfaction), ("closed", "satisfied"))

    def test_answered_failed_or_no_text_cases_are_on_the_list(self):
        answered = self._surveyed_case()
        self.env["hotline.sms.reply"]._receive(self.env.company, [{"number": "13812345678", "content": "4"}])
        self.assertEqual(answered.state, "callback", "dissatisfied: the agent calls back")
        failed = self._surveyed_case(phone="13912345678")
        self._messages(failed, "survey").state = "failed"
        landline = self._surveyed_case(phone="010-62345678")
        self.assertFalse(self._messages(landline, "survey"))
        listed = self._callback_list()
        for case in (answered, failed, landline):
            self.assertIn(case, listed)
            self.assertFalse(case.hotline_sms_awaiting_reply)


@tagged("post_install", "-at_install")
class TestSmsTencentPull(HotlineSmsCommon):
    """Tencent replies fetched by the job (PullSmsReplyStatus) through the real SDK, signed, against the stand-in:
    each reply taken once, matched and recorded as a pushed one is."""

    PROVIDER = "tencent"

    def setUp(self):
        super().setUp()
        self.tencent.replies.clear()
        self.tencent.pulls = 0
        self.env.company.hotline_sms_pull_replies = True

    def test_pulled_replies_evaluate_their_cases(self):
        satisfied = self._surveyed_case()
        unhappy = self._surveyed_case(phone="13912345678")
        self.tencent.replies += [("13812345678", "1", ""), ("13912345678", "4 还是没修好", ""),
                                 ("13700000000", "2", "")]
        replies = self.env["hotline.sms.reply"]._pull_tencent(self.env.company)
        self.assertEqual(sorted(replies.mapped("outcome")), ["callback", "evaluated", "unmatched"])
        self.assertEqual((satisfied.state, satisfied.hotline_evaluation_channel), ("closed", "sms"))
        self.assertEqual((unhappy.state, unhappy.satisfaction), ("callback", "dissatisfied"))
        self.assertEqual(self.tencent.bad_signatures, 0)
        # pulled once: the next pull finds nothing, and records nothing
        self.assertFalse(self.env["hotline.sms.reply"]._pull_tencent(self.env.company))
        self.assertEqual(self.tencent.pulls, 2)

    def test_more_than_a_page(self):
        self.tencent.replies += [("13600000000", str(i % 5 + 1), "") for i in range(230)]
        replies = self.env["hotline.sms.reply"]._pull_tencent(self.env.company)
        self.assertEqual(len(replies), 230)
        self.assertEqual(self.tencent.pulls, 3, "100 a call until a short page")
        self.assertEqual(set(replies.mapped("number")), {"13600000000"})

    def test_wrong_credentials_refused_by_the_gateway(self):
        self.env.company.hotline_sms_access_secret = "not-the-secret"
        self.tencent.replies.append(("13812345678", "1", ""))
        with self.assertRaises(TencentCloudSDKException):
            self.env["hotline.sms.reply"]._pull_tencent(self.env.company)
        self.assertEqual(self.tencent.bad_signatures, 1)
        self.assertEqual(len(self.tencent.replies), 1, "nothing was handed out")
