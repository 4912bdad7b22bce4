from datetime import datetime

from odoo.addons.hotline_case.tests.common import HotlineAttackCommon
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PlatformCommon

REST_PORT_DISPUTE = 8360


@tagged("post_install", "-at_install")
class TestPlatformDispute(PlatformCommon, HotlineAttackCommon):
    """派单异议: the center disputes a dispatched work order, the stand-in platform rules it, both ways."""

    @classmethod
    def _standin_port(cls):
        return REST_PORT_DISPUTE

    def dispute(self, case, reason="不属于城建职责，应由市场监管部门办理", key="not_competent", user=None):
        return case.with_user(user or self.dispatcher)._platform_dispute(reason, key)

    def ruling_notes(self, case):
        return [(log.action, log.note) for log in case.log_ids if log.action.startswith("platform_dispute")]

    def test_dispute_upheld_and_refused_end_to_end(self):
        upheld, kept = self.received_case("YY-1"), self.received_case("YY-2")
        self.dispute(upheld)
        # through the dispatcher's form, as the button does
        action = kept.with_user(self.dispatcher).with_context(platform_kind="dispute_request") \
            .action_platform_reply_wizard()
        wizard = self.env[action["res_model"]].with_user(self.dispatcher).with_context(**action["context"]).create(
            {"note": "同一诉求已派发，重复派单", "dispute_reason": "duplicate"})
        self.assertEqual(wizard.kind, "dispute_request")
        wizard.action_send()
        self.assertEqual((kept.platform_return_state, kept.platform_return_kind), ("requested", "dispute"))
        # one request at a time: neither a second dispute nor a return while the ruling is awaited
        with self.assertRaisesRegex(UserError, "already waiting"):
            self.dispute(kept)
        with self.assertRaisesRegex(UserError, "already waiting"):
            kept.with_user(self.dispatcher)._platform_request_return("退单")
        self.run_exchange()
        sent = self.platform.received["YY-2:2"]
        self.assertEqual((sent["kind"], sent["payload"], sent["code_version"]),
                         ("dispute_request", {"reason": "同一诉求已派发，重复派单", "reason_code": "YY03"}, "2026.1"))
        self.assertEqual(self.platform.kinds_received("YY-1"), ["receive", "dispute_request"])

        self.platform.rule("YY-1", "dispute_ruling", True, "异议成立，改派市场监管局")
        self.platform.rule("YY-2", "dispute_ruling", False, "非重复工单，请继续办理",
                           deadline="2026-12-21T18:00:00+08:00")
        self.run_exchange()
        # upheld: withdrawn from the center, the ruling logged
        self.assertEqual((upheld.state, upheld.platform_return_state), ("cancelled", "approved"))
        self.assertIn("异议成立，改派市场监管局", upheld.cancel_reason)
        self.assertEqual(self.ruling_notes(upheld), [("platform_dispute_upheld", "异议成立，改派市场监管局")])
        # refused: the case stays, with the platform's deadline, and is not disputed twice
        self.assertEqual((kept.state, kept.platform_return_state), ("pool", "rejected"))
        self.assertEqual(kept.platform_deadline, datetime(2026, 12, 21, 10, 0))
        self.assertEqual(self.ruling_notes(kept), [("platform_dispute_refused", "非重复工单，请继续办理")])
        with self.assertRaisesRegex(UserError, "already disputed"):
            self.dispute(kept)
        kept.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(kept.deadline, datetime(2026, 12, 21, 10, 0))
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received("YY-2"), ["receive", "dispute_request", "accept"])
        self.assertEqual(set((upheld | kept).platform_event_ids.mapped("state")), {"applied", "sent"})

        recon = self.reconcile_today()
        self.assertEqual(recon.unexplained_count, 0)
        self.assertEqual(sorted(recon.line_ids.mapped("status")), ["open", "returned"])

    def test_dispute_rule_refusals_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_platform"], ["zh_CN"], overwrite=True)
        case = self.received_case("YY-3")
        zh = case.with_user(self.dispatcher).with_context(lang="zh_CN")
        with self.assertRaisesRegex(UserError, "请填写对工单 .* 派单异议的理由"):
            zh._platform_dispute(" ", "not_competent")
        with self.assertRaisesRegex(UserError, "请选择工单 .* 的异议类型"):
            zh._platform_dispute("不属于本中心", False)
        # a reason the platform has no code for is refused before anything is sent
        with self.assertRaisesRegex(UserError, "没有与 wrong_area 对应的异议类型代码"):
            zh._platform_dispute("区域不符", "wrong_area")
        # signed for (sent to a unit): too late, the way out is 退单
        case.with_user(self.dispatcher).action_dispatch()
        with self.assertRaisesRegex(UserError, "已签收.*退单"):
            zh._platform_dispute("不属于本中心", "not_competent")
        self.run_exchange()
        self.assertNotIn("dispute_request", self.platform.kinds_received("YY-3"))
        self.assertFalse(case.platform_return_state)

    def test_platform_refuses_a_late_dispute_and_a_ruling_without_request(self):
        """The stand-in applies the platform's rule too; a ruling the center did not ask for is a dead letter."""
        case = self.received_case("YY-4")
        self.platform.emit("YY-4", "dispute_ruling", {"approved": True})
        self.run_exchange()
        self.assertEqual(self.events("YY-4", "in")[-1].state, "dead")
        self.assertEqual(case.state, "pool")

    def test_only_dispatchers_dispute(self):
        case = self.received_case("YY-5")
        with self.assertRaises(AccessError):
            self.dispute(case, user=self.agent)
        wizard_vals = {"case_id": case.id, "kind": "dispute_request", "note": "越权异议",
                       "dispute_reason": "not_competent"}
        for user in (self.unit_user_a, self.unit_user_b, self.portal_a):
            with self.subTest(user=user.login):
                self.assertRpcDenied(user, "hotline.platform.reply.wizard", "create", vals_list=[wizard_vals])
                with self.assertRaises(AccessError):
                    self.dispute(case, user=user)
                self.assertRpcDenied(user, "hotline.case", "write", case.ids,
                                     vals={"platform_return_state": "requested", "platform_return_kind": "dispute"})
        # an agent may open the form, not send a dispute through it
        wizard = self.env["hotline.platform.reply.wizard"].with_user(self.agent).create(wizard_vals)
        with self.assertRaises(AccessError):
            wizard.action_send()
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received("YY-5"), ["receive"])
        self.assertFalse(case.platform_return_state)
        # positive control: the dispatcher's wizard sends it
        wizard.with_user(self.dispatcher).action_send()
        self.assertEqual(case.platform_return_state, "requested")
