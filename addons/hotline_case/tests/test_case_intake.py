from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..tools import phone as phone_tools
from .common import HotlineCaseCommon, sample_file


@tagged("post_install", "-at_install")
class TestCaseIntake(HotlineCaseCommon):
    """What an intake outcome needs before a case leaves the agent, and what the form fills in for him."""

    def _blank_case(self, **vals):
        return self.env["hotline.case"].with_user(self.agent).create({"caller_phone": "13812345678", **vals})

    def _assert_refused(self, case, method, *missing):
        before = case.read(["state", "caller_phone", "description", "unit_id"])
        with self.assertRaises(UserError) as caught:
            getattr(case.with_user(self.agent), method)()
        for label in missing:
            self.assertIn(label, str(caught.exception))
        self.assertEqual(case.read(["state", "caller_phone", "description", "unit_id"]), before,
                         "nothing the agent typed is changed by a refused step")
        self.assertFalse(case.sudo().log_ids, "a refused step writes no log line")
        return str(caught.exception)

    def test_transfer_needs_a_complete_request(self):
        case = self._blank_case()
        message = self._assert_refused(case, "action_transfer", "Type", "Category", "Address", "Description")
        self.assertNotIn("Unit", message, "the dispatchers choose the unit of a transferred case")

    def test_self_dispatch_needs_the_unit_too(self):
        case = self._blank_case(type_id=self.type_complaint.id, category_id=self.cat_no_water.id,
                                description="小区停水。")
        self._assert_refused(case, "action_self_dispatch", "Address", "Unit")
        case.write({"street_id": self.street.id, "unit_id": self.unit_a.id})
        case.with_user(self.agent).action_self_dispatch()
        self.assertEqual(case.state, "dispatched", "a street is enough to find the place")

    def test_dispatch_from_the_pool_is_checked_again(self):
        case = self._new_case()
        case.with_user(self.agent).action_transfer()
        case.sudo().description = " "
        with self.assertRaises(UserError) as caught:
            case.with_user(self.dispatcher).action_dispatch()
        self.assertIn("Description", str(caught.exception))
        self.assertIn("Unit", str(caught.exception))
        self.assertEqual(case.state, "pool")

    def test_close_on_call_needs_the_answer(self):
        case = self._blank_case(type_id=self.type_consult.id, category_id=self.cat_water.id,
                                description="咨询水费缴纳方式。")
        message = self._assert_refused(case, "action_close_on_call", "Answer on the Call")
        self.assertNotIn("Address", message, "a question answered on the call needs no address")
        case.resolution_note = "告知可通过网上营业厅缴费。"
        case.with_user(self.agent).action_close_on_call()
        self.assertEqual(case.state, "closed")

    def test_messages_in_chinese(self):
        case = self._blank_case().with_context(lang="zh_CN")
        self.env["res.lang"]._activate_lang("zh_CN")
        with self.assertRaises(UserError) as caught:
            case.with_user(self.agent).with_context(lang="zh_CN").action_transfer()
        message = str(caught.exception)
        zh = self.env(context={"lang": "zh_CN"})
        for name in ("type_id", "category_id", "description"):
            label = self.env["hotline.case"]._fields[name]._description_string(zh)
            self.assertIn(label, message)
        self.assertIn("还不能提交", message)
        self.assertNotIn(" or ", message)

    def test_caller_known_address_fills_district_and_street(self):
        partner = self.env["res.partner"].create({"name": "刘大爷", "phone": "13900001111", "street": "和平路1号"})
        self._new_case(caller_phone="13900001111", address="和平路1号", district_id=self.district.id,
                       street_id=self.street.id)
        with Form(self.env["hotline.case"].with_user(self.agent)) as form:
            form.caller_phone = "139 0000 1111"
            self.assertEqual(form.partner_id, partner)
            self.assertEqual(form.address, "和平路1号")
            self.assertEqual(form.district_id, self.district)
            self.assertEqual(form.street_id, self.street)
            # the agent corrects the district: a street of another district does not stay
            form.district_id = self.district2
            self.assertFalse(form.street_id)

    def test_local_number_gets_the_default_area_code(self):
        with self.assertRaises(UserError):
            self._new_case(caller_phone="8812345")
        self.env["res.config.settings"].create({"hotline_default_area_code": "0931"}).execute()
        self.assertEqual(self.env.company.hotline_default_area_code, "0931")
        case = self._new_case(caller_phone="881 2345")
        self.assertEqual(case.caller_phone, "0931-8812345")
        with self.assertRaises(ValidationError):
            self.env.company.hotline_default_area_code = "931"

    def test_search_by_phone_typed_with_spaces(self):
        mobile = self._new_case(caller_phone="13812340000")
        landline = self._new_case(caller_phone="0931-88881234")
        Case = self.env["hotline.case"].with_user(self.agent)
        self.assertIn(mobile, Case.search([("caller_phone", "ilike", "138 1234 0000")]))
        self.assertIn(mobile, Case.search([("caller_phone", "ilike", "138 1234")]))
        self.assertIn(mobile, Case.search([("caller_phone", "=", "+86 138-1234-0000")]))
        self.assertIn(landline, Case.search([("caller_phone", "ilike", "0931 8888 1234")]))
        self.assertIn(landline, Case.search([("caller_phone", "ilike", "0931 8888")]))
        self.assertNotIn(mobile, Case.search([("caller_phone", "ilike", "0931 8888")]))

    def test_phone_tools_need_no_model(self):
        self.assertEqual(phone_tools.normalize_phone("881 2345", "0931"), "0931-8812345")
        self.assertEqual(phone_tools.normalize_phone("０９３１－８８１２３４５"), "0931-8812345")
        with self.assertRaises(phone_tools.InvalidPhoneError):
            phone_tools.normalize_phone("881 2345")
        with self.assertRaises(phone_tools.InvalidPhoneError):
            phone_tools.normalize_phone("881 2345", "931")
        self.assertEqual(phone_tools.search_phone_term("0931 88"), "0931-88")
        self.assertEqual(phone_tools.search_phone_term("王秀英"), "王秀英")


@tagged("post_install", "-at_install")
class TestCaseReview(HotlineCaseCommon):

    def test_result_files_shown_and_old_review_note_cleared(self):
        case = self._processing_case()
        photo = self.env["ir.attachment"].with_user(self.unit_user_a).create({
            "name": "现场照片.jpg", "raw": sample_file("jpg"), "res_model": "hotline.case", "res_id": case.id,
        })
        case.with_user(self.unit_user_a).action_submit(note="已修复。")
        self.assertEqual(case.result_attachment_ids, photo, "the chatter upload is the result's file")
        case.with_user(self.reviewer).action_review_reject(note="照片看不出已修复。")
        self.assertEqual(case.review_note, "照片看不出已修复。")
        case.with_user(self.dispatcher).action_dispatch()
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已更换阀门。", attachment_ids=[])
        self.assertFalse(case.review_note, "the rejection of the previous result stays in the log only")
        self.assertFalse(case.result_attachment_ids)
        case.with_user(self.reviewer).action_review_approve()
        self.assertFalse(case.review_note)
        self.assertIn("照片看不出已修复。", case.sudo().log_ids.mapped("note"))

    def test_log_action_labels(self):
        case = self._callback_case()
        field = self.env["hotline.case.log"]._fields["action"]
        self.assertEqual(field.type, "selection")
        labels = dict(field._description_selection(self.env))
        self.assertTrue(set(case.sudo().log_ids.mapped("action")) <= set(labels))
        self.env["res.lang"]._activate_lang("zh_CN")
        zh = dict(field._description_selection(self.env(context={"lang": "zh_CN"})))
        self.assertEqual(zh["review_reject"], "审核退回")
        self.assertEqual(zh["callback_done"], "已回访")
