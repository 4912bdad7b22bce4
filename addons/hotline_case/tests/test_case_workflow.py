from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import HotlineCaseCommon, sample_file


@tagged("post_install", "-at_install")
class TestCaseWorkflow(HotlineCaseCommon):

    def _log_actions(self, case):
        return case.sudo().log_ids.sorted("id").mapped("action")

    def test_create_number_and_caller(self):
        case = self._new_case(caller_phone="+86 138-1234-5678")
        self.assertEqual(case.state, "draft")
        self.assertRegex(case.name, r"^12319-\d{8}-\d{4,}$")
        self.assertEqual(case.caller_phone, "13812345678")
        self.assertEqual(case.partner_id.name, "陈先生", "the caller's contact is created for the next call")
        self.assertEqual(case.agent_id, self.agent)
        self.assertEqual(case.industry_id, self.industry, "industry follows the parent category's industry")

    def test_close_on_call(self):
        case = self._new_case()
        with self.assertRaisesRegex(UserError, "Answer on the Call"):
            case.with_user(self.agent).action_close_on_call()
        case.with_user(self.agent).resolution_note = "已告知停水原因及恢复时间。"
        case.with_user(self.agent).action_close_on_call()
        self.assertEqual(case.state, "closed")
        self.assertTrue(case.date_closed)
        log = case.sudo().log_ids
        self.assertEqual((log.action, log.from_state, log.to_state, log.user_id), (
            "close_on_call", "draft", "closed", self.agent))
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_close_on_call()

    def test_self_dispatch_needs_unit(self):
        case = self._new_case()
        with self.assertRaisesRegex(UserError, "Unit"):
            case.with_user(self.agent).action_self_dispatch()
        case.with_user(self.agent).unit_id = self.unit_a
        case.with_user(self.agent).action_self_dispatch()
        self.assertEqual(case.state, "dispatched")
        self.assertTrue(case.deadline and case.sign_deadline and case.date_dispatched)
        self.assertEqual(case.sudo().log_ids.unit_id, self.unit_a)
        # units are told
        message = case.message_ids.filtered(lambda m: self.unit_user_a.partner_id in m.partner_ids)
        self.assertTrue(message)

    def test_transfer_and_dispatch(self):
        case = self._new_case()
        case.with_user(self.agent).action_transfer()
        self.assertEqual(case.state, "pool")
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_transfer()
        case.with_user(self.dispatcher).unit_id = self.unit_a
        with self.assertRaises(AccessError):
            case.with_user(self.agent).action_dispatch()
        case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(case.state, "dispatched")
        self.assertEqual(case.dispatcher_id, self.dispatcher)
        with self.assertRaises(UserError):
            case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(self._log_actions(case), ["transfer", "dispatch"])

    def test_second_dispatcher_told_the_case_moved_on(self):
        """Two dispatchers pick one pool case: the one beaten to it reads that the case has left the pool
        (its state), in their language, and changes nothing; the first one's unit stays."""
        other = new_test_user(self.env, "hc_dispatcher_2", groups="hotline_case.group_dispatcher", name="分理员乙")
        self.env["res.lang"]._activate_lang("zh_CN")
        case = self._new_case()
        case.with_user(self.agent).action_transfer()
        case.with_user(self.dispatcher).unit_id = self.unit_a
        case.with_user(self.dispatcher).action_dispatch()
        with self.assertRaises(UserError) as caught:
            case.with_user(other).with_context(lang="zh_CN").write({"unit_id": self.unit_b.id})
        self.assertIn(case.name, str(caught.exception))
        self.assertIn("不能指定承办单位", str(caught.exception))
        self.assertIn("待签收", str(caught.exception))
        with self.assertRaises(UserError) as caught:
            case.with_user(other).with_context(lang="en_US").write({"unit_id": self.unit_b.id})
        self.assertIn("cannot be given a unit", str(caught.exception))
        # a workflow field beside the unit: the general refusal, naming both
        with self.assertRaises(UserError) as caught:
            case.with_user(other).with_context(lang="en_US").write({"unit_id": self.unit_b.id,
                                                                    "state": "pool"})
        self.assertIn("workflow buttons", str(caught.exception))
        self.assertEqual(case.unit_id, self.unit_a)
        self.assertEqual(case.state, "dispatched")

    def test_dispatch_refused_without_unit(self):
        case = self._new_case()
        case.with_user(self.agent).action_transfer()
        with self.assertRaises(UserError):
            case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(case.state, "pool")

    def test_accept(self):
        case = self._dispatched_case()
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_b).action_accept()
        with self.assertRaises(AccessError):
            case.with_user(self.agent).action_accept()
        case.with_user(self.unit_user_a).action_accept()
        self.assertEqual(case.state, "processing")
        self.assertTrue(case.date_accepted)
        with self.assertRaises(UserError):
            case.with_user(self.unit_user_a).action_accept()

    def test_portal_member_transitions(self):
        """A portal member with read access only signs for, requests an extension and submits."""
        case = self._dispatched_case()
        case.with_user(self.portal_a).action_accept()
        self.assertEqual(case.state, "processing")
        self.assertEqual(case.sudo().log_ids.sorted("id")[-1].user_id, self.portal_a)
        case.with_user(self.portal_a).action_request_extension(days=3, reason="需更换主管道")
        self.assertEqual(case.extension_state, "requested")
        self.assertEqual(case.extension_days, 3)
        attachment = self.env["ir.attachment"].with_user(self.portal_a).sudo().create({
            "name": "现场照片.jpg", "raw": sample_file("jpg"), "res_model": "mail.compose.message", "res_id": 0,
        })
        case.with_user(self.portal_a).action_submit(note="已修复，恢复供水。", attachment_ids=attachment.ids)
        self.assertEqual(case.state, "submitted")
        self.assertEqual(case.result_note, "已修复，恢复供水。")
        self.assertEqual(attachment.res_model, "hotline.case")
        self.assertEqual(attachment.res_id, case.id)

    def test_portal_non_member_refused(self):
        outsider = self.env["res.users"].create({
            "name": "外人", "login": "hc_portal_x", "group_ids": [(6, 0, [self.env.ref("base.group_portal").id])],
        })
        case = self._dispatched_case()
        for method, kwargs in (("action_accept", {}), ("action_return", {"reason": "x"}),
                               ("action_submit", {"note": "x"})):
            with self.assertRaises(AccessError):
                getattr(case.with_user(outsider), method)(**kwargs)
        self.assertEqual(case.state, "dispatched")

    def test_return(self):
        case = self._processing_case()
        with self.assertRaisesRegex(UserError, "reason"):
            case.with_user(self.unit_user_a).action_return()
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_b).action_return(reason="不属于我单位")
        case.with_user(self.unit_user_a).action_return(reason="不属于我单位管辖")
        self.assertEqual(case.state, "pool")
        self.assertFalse(case.unit_id)
        self.assertEqual(case.return_count, 1)
        log = case.sudo().log_ids.sorted("id")[-1]
        self.assertEqual((log.action, log.unit_id, log.note), ("return", self.unit_a, "不属于我单位管辖"))
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).action_return(reason="again")

    def test_return_from_dispatched_with_field(self):
        case = self._dispatched_case()
        case.with_user(self.unit_user_a).return_reason = "地址在外区"
        case.with_user(self.unit_user_a).action_return()
        self.assertEqual(case.state, "pool")

    def test_extension(self):
        case = self._processing_case()
        with self.assertRaises(UserError):
            case.with_user(self.unit_user_a).action_request_extension(days=0, reason="x")
        with self.assertRaises(UserError):
            case.with_user(self.unit_user_a).action_request_extension(days=2)
        with self.assertRaises(UserError):
            case.with_user(self.reviewer).action_approve_extension()
        case.with_user(self.unit_user_a).action_request_extension(days=2, reason="材料待到货")
        with self.assertRaises(UserError):
            case.with_user(self.unit_user_a).action_request_extension(days=2, reason="again")
        with self.assertRaises(AccessError):
            case.with_user(self.dispatcher).action_approve_extension()
        old_deadline = case.deadline
        case.with_user(self.reviewer).action_approve_extension()
        self.assertEqual(case.extension_state, "approved")
        self.assertGreater(case.deadline, old_deadline)

    def test_extension_rejected(self):
        case = self._processing_case()
        case.with_user(self.unit_user_a).action_request_extension(days=5, reason="人手不足")
        old_deadline = case.deadline
        with self.assertRaises(AccessError):
            case.with_user(self.agent).action_reject_extension()
        case.with_user(self.reviewer).action_reject_extension(note="理由不充分")
        self.assertEqual(case.extension_state, "rejected")
        self.assertEqual(case.deadline, old_deadline)
        self.assertEqual(case.sudo().log_ids.sorted("id")[-1].note, "理由不充分")

    def test_extension_after_deadline_refused(self):
        case = self._processing_case()
        case.sudo().deadline = self._dt(2020, 1, 1)
        with self.assertRaisesRegex(UserError, "deadline"):
            case.with_user(self.unit_user_a).action_request_extension(days=2, reason="晚了")

    def test_submit(self):
        case = self._dispatched_case()
        with self.assertRaises(UserError):
            case.with_user(self.unit_user_a).action_submit(note="未签收就提交")
        case.with_user(self.unit_user_a).action_accept()
        with self.assertRaisesRegex(UserError, "result"):
            case.with_user(self.unit_user_a).action_submit()
        case.with_user(self.unit_user_a).result_note = "已处理"
        case.with_user(self.unit_user_a).action_submit()
        self.assertEqual(case.state, "submitted")
        self.assertTrue(case.date_submitted)

    def test_review(self):
        case = self._submitted_case()
        with self.assertRaises(AccessError):
            case.with_user(self.agent).action_review_approve()
        with self.assertRaises(AccessError):
            case.with_user(self.dispatcher).action_review_reject(note="x")
        with self.assertRaisesRegex(UserError, "rejected"):
            case.with_user(self.reviewer).action_review_reject()
        case.with_user(self.reviewer).action_review_reject(note="未附现场照片")
        self.assertEqual(case.state, "pool")
        self.assertEqual(case.review_note, "未附现场照片")
        with self.assertRaises(UserError):
            case.with_user(self.reviewer).action_review_approve()
        # 再分理 to the same unit, then approve
        case.with_user(self.dispatcher).action_dispatch()
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已补充照片")
        case.with_user(self.reviewer).action_review_approve()
        self.assertEqual(case.state, "callback")

    def test_callback_done(self):
        case = self._callback_case()
        with self.assertRaisesRegex(UserError, "satisfaction"):
            case.with_user(self.agent).action_callback_done(note="满意")
        with self.assertRaisesRegex(UserError, "satisfaction"):
            case.with_user(self.agent).action_callback_done(satisfaction="great", note="x")
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_callback_done(satisfaction="satisfied")
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).action_callback_done(satisfaction="satisfied", note="x")
        case.with_user(self.agent).action_callback_done(satisfaction="very_satisfied", note="市民表示非常满意")
        self.assertEqual((case.state, case.satisfaction), ("closed", "very_satisfied"))
        self.assertEqual(self._log_actions(case),
                         ["self_dispatch", "accept", "submit", "review_approve", "callback_done"])

    def test_reopen(self):
        case = self._callback_case()
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_reopen()
        case.with_user(self.agent).action_reopen(note="市民反映仍然停水")
        self.assertEqual((case.state, case.reopen_count), ("pool", 1))
        self.assertFalse(case.deadline)
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_reopen(note="again")

    def test_cancel(self):
        case = self._new_case()
        with self.assertRaisesRegex(UserError, "reason"):
            case.with_user(self.agent).action_cancel()
        case.with_user(self.agent).action_cancel(reason="骚扰电话")
        self.assertEqual((case.state, case.cancel_reason), ("cancelled", "骚扰电话"))
        with self.assertRaises(UserError):
            case.with_user(self.agent).action_cancel(reason="again")

    def test_cancel_dispatched_needs_dispatcher(self):
        case = self._dispatched_case()
        with self.assertRaises(AccessError):
            case.with_user(self.agent).action_cancel(reason="重复")
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).action_cancel(reason="重复")
        case.with_user(self.dispatcher).action_cancel(reason="无效工单")
        self.assertEqual(case.state, "cancelled")

    def test_state_not_writable_directly(self):
        case = self._new_case()
        with self.assertRaises(UserError):
            case.with_user(self.manager).write({"state": "closed"})
        self.assertEqual(case.state, "draft")

    def test_unit_cannot_write_other_fields(self):
        case = self._processing_case()
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).write({"unit_id": self.unit_b.id})
        with self.assertRaises(AccessError):
            case.with_user(self.unit_user_a).write({"description": "改写"})
        case.with_user(self.unit_user_a).write({"result_note": "处理中"})
        self.assertEqual(case.result_note, "处理中")

    def test_log_immutable(self):
        case = self._dispatched_case()
        log = case.sudo().log_ids
        for user in (self.manager, self.agent, self.unit_user_a):
            with self.assertRaises(UserError):
                log.with_user(user).write({"note": "篡改"})
            with self.assertRaises(UserError):
                log.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.env["hotline.case.log"].with_user(user).create({"case_id": case.id, "action": "fake"})
        self.assertFalse(log.note)
        # the model itself refuses, whatever the access rights
        with self.assertRaises(UserError):
            log.with_user(self.manager).write({"note": "x"})

    def test_chatter_tracks_state(self):
        case = self._new_case(unit_id=self.unit_a.id)
        self.env.cr.flush()  # as in a real request, the case is created in an earlier transaction
        case.with_user(self.agent).action_self_dispatch()
        self.env.cr.flush()
        messages = self.env["mail.message"].sudo().search([("model", "=", case._name), ("res_id", "=", case.id)])
        tracked = messages.tracking_value_ids.mapped("field_id.name")
        self.assertIn("state", tracked)
        self.assertIn("deadline", tracked)

    def test_batch_transition_keeps_each_input(self):
        first = self._submitted_case()
        second = self._submitted_case(caller_phone="13700000007", caller_name="周先生")
        first.with_user(self.reviewer).review_note = "缺少照片"
        second.with_user(self.reviewer).review_note = "结果描述不清"
        (first | second).with_user(self.reviewer).action_review_reject()
        self.assertEqual((first.state, second.state), ("pool", "pool"))
        self.assertEqual(first.sudo().log_ids.sorted("id")[-1].note, "缺少照片")
        self.assertEqual(second.sudo().log_ids.sorted("id")[-1].note, "结果描述不清")

    def test_kanban_shows_every_state_in_workflow_order(self):
        """The kanban (grouped by state, expanded) lists every stage, empty ones too, in workflow order."""
        self._dispatched_case()
        groups = self.env["hotline.case"].with_user(self.agent).with_context(read_group_expand=True).web_read_group(
            [("id", "<", 0)], ["state"], [])["groups"]
        self.assertEqual([g["state"] for g in groups],
                         ["draft", "pool", "dispatched", "processing", "submitted", "callback", "closed", "cancelled"])
