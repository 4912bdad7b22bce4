from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HotlineAttackCommon, HotlineCaseCommon


@tagged("post_install", "-at_install")
class TestCallbackOutcomes(HotlineCaseCommon):
    """回访 that reaches no one (无法联系 after the configured attempts) or that the caller refuses (拒绝评价)."""

    def test_unreachable_after_the_configured_attempts(self):
        self.env.company.hotline_callback_attempts = 3
        case = self._callback_case()
        with self.assertRaises(UserError, msg="not before the attempts are made"):
            case.with_user(self.agent).action_callback_unreachable()
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).action_callback_attempt()
        for _attempt in range(3):
            case.with_user(self.agent).action_callback_attempt()
        self.assertEqual(case.callback_attempts, 3)
        attempts = case.log_ids.filtered(lambda log: log.action == "callback_attempt")
        self.assertEqual(len(attempts), 3)
        self.assertEqual(attempts.user_id, self.agent, "each attempt is logged with its agent")
        self.assertTrue(all(attempts.mapped("date")))
        self.assertEqual(case.state, "callback", "an attempt does not close the case")
        case.with_user(self.agent).action_callback_unreachable()
        self.assertEqual((case.state, case.callback_outcome, case.satisfaction), ("closed", "unreachable", False))
        self.assertTrue(case.date_closed)
        self.assertEqual(case.log_ids.sorted("id")[-1].action, "callback_unreachable")
        with self.assertRaises(UserError, msg="closed: no more attempts"):
            case.with_user(self.agent).action_callback_attempt()

    def test_attempts_start_again_for_a_redone_result(self):
        self.env.company.hotline_callback_attempts = 1
        case = self._callback_case()
        case.with_user(self.agent).action_callback_attempt()
        case.with_user(self.agent).action_reopen(note="市民此前反映问题仍未解决。")
        case.with_user(self.dispatcher).write({"unit_id": self.unit_a.id})
        case.with_user(self.dispatcher).action_dispatch()
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已再次处理。")
        case.with_user(self.reviewer).action_review_approve()
        self.assertEqual(case.callback_attempts, 0)
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_callback_unreachable()

    def test_refused_and_rated(self):
        case = self._callback_case()
        with self.assertRaises(UserError, msg="what the caller said is required"):
            case.with_user(self.agent).action_callback_refused()
        case.with_user(self.agent).action_callback_refused(note="市民接听后表示不愿评价。")
        self.assertEqual((case.state, case.callback_outcome, case.satisfaction), ("closed", "refused", False))
        rated = self._callback_case()
        rated.with_user(self.agent).action_callback_done("satisfied", "满意")
        self.assertEqual(rated.callback_outcome, "rated")

    def test_setting_at_least_one_attempt(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.company.hotline_callback_attempts = 0
            self.env.company.flush_recordset()


@tagged("post_install", "-at_install")
class TestReturnRuling(HotlineCaseCommon):
    """退单裁定: every return is 待裁定 until a dispatcher or reviewer rules it, with a reason."""

    def _returned(self):
        case = self._dispatched_case()
        case.with_user(self.unit_user_a).action_return(reason="不属于本单位职责范围。")
        return case, case.log_ids.filtered(lambda log: log.action == "return")

    def test_ruling_is_stored_on_the_return_and_logged(self):
        case, line = self._returned()
        self.assertEqual(line.return_ruling, "pending")
        self.assertEqual(line.unit_id, self.unit_a, "the return line names the unit that returned")
        with self.assertRaises(UserError):
            line.with_user(self.dispatcher).action_rule_return("improper", "  ")
        with self.assertRaises(UserError):
            line.with_user(self.dispatcher).action_rule_return("maybe", "理由")
        line.with_user(self.dispatcher).action_rule_return("improper", "该事项属于本单位职责，退单理由不成立。")
        self.assertEqual((line.return_ruling, line.ruling_user_id, line.ruling_note),
                         ("improper", self.dispatcher, "该事项属于本单位职责，退单理由不成立。"))
        ruled = case.log_ids.filtered(lambda log: log.action == "rule_return")
        self.assertEqual((ruled.user_id, ruled.unit_id), (self.dispatcher, self.unit_a))
        self.assertIn("该事项属于本单位职责", ruled.note)
        # a reviewer may correct the ruling: logged again
        line.with_user(self.reviewer).action_rule_return("justified", "复核后认定退单合理。")
        self.assertEqual(line.return_ruling, "justified")
        self.assertEqual(len(case.log_ids.filtered(lambda log: log.action == "rule_return")), 2)
        # only returns are ruled
        dispatch = case.log_ids.filtered(lambda log: log.action == "self_dispatch")
        with self.assertRaises(UserError):
            dispatch.with_user(self.dispatcher).action_rule_return("improper", "理由")

    def test_who_may_rule(self):
        _case, line = self._returned()
        for user in (self.unit_user_a, self.unit_user_b, self.agent, self.portal_a):
            with self.assertRaises(AccessError, msg=user.login):
                line.with_user(user).action_rule_return("justified", "自行认定合理。")
            with self.assertRaises(UserError, msg=user.login):  # AccessError or the log's own refusal
                line.with_user(user).write({"return_ruling": "justified"})
        self.assertEqual(line.return_ruling, "pending")
        # a dispatcher who is also a member of the returning unit does not rule its own unit's return
        self.unit_a.member_ids |= self.dispatcher
        with self.assertRaises(AccessError):
            line.with_user(self.dispatcher).action_rule_return("justified", "本单位认定合理。")
        # the wizard of the case form and of the list of returns to rule on
        wizard = self.env["hotline.return.ruling.wizard"].with_user(self.reviewer).create({
            "log_id": line.id, "ruling": "improper", "reason": "应由本单位处理。"})
        wizard.action_confirm()
        self.assertEqual(line.return_ruling, "improper")


@tagged("post_install", "-at_install")
class TestReturnRulingRpc(HotlineAttackCommon):
    """A unit cannot rule its own return over any API (web client, /json/2, XML-RPC); a dispatcher can."""

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_units_cannot_rule_over_rpc(self):
        case = self._dispatched_case()
        case.with_user(self.unit_user_a).action_return(reason="不属于本单位职责范围。")
        line = case.log_ids.filtered(lambda log: log.action == "return")
        for user in (self.unit_user_a, self.portal_a, self.agent):
            self.assertRpcDenied(user, "hotline.case.log", "action_rule_return", line.ids,
                                 ruling="justified", reason="自行认定合理。")
            self.assertRpcDenied(user, "hotline.case.log", "write", line.ids, vals={"return_ruling": "justified"})
        self.assertEqual(line.return_ruling, "pending")
        # the positive control: a dispatcher rules through the same door
        self._rpc("json2", self.dispatcher, "hotline.case.log", "action_rule_return", line.ids,
                  ruling="improper", reason="退单理由不成立。")
        self.assertEqual(line.return_ruling, "improper")
        # the unit reads the ruling of its own return
        read = self._rpc("json2", self.unit_user_a, "hotline.case.log", "read", line.ids,
                         fields=["return_ruling", "ruling_note"])
        self.assertEqual(read[0]["return_ruling"], "improper")
        # nor through the ruling wizard
        self.assertRpcDenied(self.unit_user_a, "hotline.return.ruling.wizard", "create",
                             vals_list=[{"log_id": line.id, "ruling": "justified", "reason": "自行认定合理。"}])

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_only_the_center_records_callback_outcomes(self):
        case = self._callback_case()
        for user in (self.unit_user_a, self.portal_a):
            self.assertRpcDenied(user, "hotline.case", "action_callback_attempt", case.ids)
            self.assertRpcDenied(user, "hotline.case", "action_callback_refused", case.ids, note="不评价")
            self.assertRpcDenied(user, "hotline.case", "write", case.ids, vals={"callback_attempts": 9})
        self.assertEqual(case.callback_attempts, 0)
        # the positive control: the agent logs an attempt through the same door
        self._rpc("json2", self.agent, "hotline.case", "action_callback_attempt", case.ids)
        self.assertEqual(case.callback_attempts, 1)

