"""Calls are tied to their callers by number and to the cases taken on them (issue 8, items 19-20)."""

from odoo.tests import tagged

from ..ami.ingest import to_dt
from .common import T0, HotlineTelephonyCase

LOG = f"""{T0}|21.1|hotline|NONE|ENTERQUEUE||09318827316|1
{T0 + 5}|21.1|hotline|PJSIP/agent1|CONNECT|5|21.2|1
{T0 + 40}|22.1|hotline|NONE|ENTERQUEUE||+8613512345678|1
{T0 + 42}|22.1|hotline|PJSIP/agent2|CONNECT|2|22.2|1
{T0 + 300}|22.1|hotline|PJSIP/agent2|COMPLETECALLER|2|258|1
{T0 + 400}|23.1|hotline|NONE|ENTERQUEUE||anonymous|1
{T0 + 410}|23.1|hotline|NONE|ABANDON|1|1|10
"""


@tagged("post_install", "-at_install")
class TestCallLinks(HotlineTelephonyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "张桂兰", "phone": "0931-8827316"})

    def setUp(self):
        super().setUp()
        self.ingest(self.from_log(LOG))
        self.landline, self.mobile, self.anonymous = self.calls()

    def new_case(self, user, phone, at, **vals):
        vals = {"caller_phone": phone, "channel": "phone", "description": "小区停水", "date_received": to_dt(at),
                **vals}
        return self.env["hotline.case"].with_user(user).create(vals)

    def test_numbers_in_the_centers_format_and_callers_found_by_them(self):
        self.assertEqual([c.caller_phone for c in self.calls()], ["0931-8827316", "13512345678", "anonymous"])
        self.assertEqual([c.caller_number for c in self.calls()], ["09318827316", "+8613512345678", "anonymous"],
                         "the caller id as Asterisk gave it is kept")
        self.assertEqual(self.landline.partner_id, self.partner)
        self.assertEqual(self.landline.display_name.split()[0], "0931-8827316")

    def test_case_taken_during_the_call_is_linked(self):
        case = self.new_case(self.agent1, "0931 8827316", T0 + 60)
        self.assertEqual(case.sudo().call_ids, self.landline)
        self.assertEqual(self.landline.case_ids, case)

    def test_case_of_a_new_caller_gives_the_call_its_caller(self):
        case = self.new_case(self.agent2, "13512345678", T0 + 300 + 120, caller_name="陈先生")
        self.assertEqual(case.sudo().call_ids, self.mobile, "typed within the wrap-up after hanging up")
        self.assertTrue(case.sudo().partner_id)
        self.assertEqual(self.mobile.partner_id, case.sudo().partner_id)

    def test_unrelated_cases_are_not_linked(self):
        # another agent, another caller, long after the call, or not a phone case
        self.assertFalse(self.new_case(self.agent2, "0931-8827316", T0 + 60).sudo().call_ids)
        self.assertFalse(self.new_case(self.agent1, "13512345678", T0 + 60).sudo().call_ids)
        self.assertFalse(self.new_case(self.agent2, "13512345678", T0 + 300 + 1800).sudo().call_ids)
        self.assertFalse(self.new_case(self.agent1, "0931-8827316", T0 + 60, channel="web").sudo().call_ids)

    def test_screen_pop_case_is_linked_to_its_call(self):
        ctx = self.mobile.with_user(self.agent2).action_new_case()["context"]
        case = self.env["hotline.case"].with_user(self.agent2).with_context(**ctx).create(
            {"description": "暖气不热", "caller_name": "陈先生"})
        self.assertEqual(case.sudo().call_ids, self.mobile)
        self.assertEqual(case.sudo().caller_phone, "13512345678")

    def test_demo_calls_have_callers_and_cases(self):
        calls = self.env["hotline.call"].search([("pbx_id", "=", self.env.ref("hotline_telephony.pbx_default").id),
                                                 ("direction", "=", "inbound")])
        self.assertTrue(calls)
        answered = calls.filtered(lambda c: c.outcome == "answered")
        self.assertTrue(all(c.case_ids for c in answered), "every answered demo call made a case")
        self.assertTrue(all(c.partner_id for c in answered))
        self.assertGreater(len(calls.filtered("partner_id")), len(calls) / 2)
        self.assertFalse(calls.filtered(lambda c: c.caller_phone and c.caller_phone.startswith("(")),
                         "no US-format numbers")
