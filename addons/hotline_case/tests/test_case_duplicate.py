from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import HotlineCaseCommon


@tagged("post_install", "-at_install")
class TestCaseDuplicate(HotlineCaseCommon):

    def test_same_caller_is_duplicate(self):
        first = self._new_case()
        second = self._new_case(category_id=self.cat_road.id, street_id=False, address="别处")
        self.assertIn(first, second.duplicate_case_ids)
        self.assertIn(second, first.duplicate_case_ids)
        self.assertNotIn(second, second.duplicate_case_ids)

    def test_same_category_and_street_is_duplicate(self):
        first = self._new_case()
        other_caller = self._new_case(caller_phone="13700000001", caller_name="邻居")
        self.assertIn(first, other_caller.duplicate_case_ids)
        other_category = self._new_case(caller_phone="13700000002", caller_name="路人",
                                        category_id=self.cat_road.id)
        self.assertNotIn(first, other_category.duplicate_case_ids)

    def test_same_category_and_address_without_street(self):
        first = self._new_case(street_id=False, address="人民路5号")
        second = self._new_case(street_id=False, address="人民路5号", caller_phone="13700000003", caller_name="甲")
        third = self._new_case(street_id=False, address="人民路7号", caller_phone="13700000004", caller_name="乙")
        self.assertIn(first, second.duplicate_case_ids)
        self.assertNotIn(first, third.duplicate_case_ids)

    def test_window(self):
        old = self._new_case(date_received=fields.Datetime.now() - timedelta(days=5))
        recent = self._new_case()
        self.assertNotIn(old, recent.duplicate_case_ids, "default window is 3 days")
        self.env.company.hotline_duplicate_window_days = 7
        recent.invalidate_recordset(["duplicate_case_ids"])
        self.assertIn(old, recent.duplicate_case_ids)

    def test_cancelled_not_duplicate(self):
        first = self._new_case()
        first.with_user(self.agent).action_cancel(reason="误报")
        second = self._new_case()
        self.assertNotIn(first, second.duplicate_case_ids)

    def test_duplicates_in_new_form(self):
        first = self._new_case()
        new = self.env["hotline.case"].with_user(self.agent).new({
            "caller_phone": "13700000009", "category_id": self.cat_no_water.id, "street_id": self.street.id,
        })
        self.assertIn(first, new.duplicate_case_ids._origin)

    def test_merge(self):
        main = self._dispatched_case()
        duplicate = self._new_case(caller_phone="13700000005", caller_name="钱女士")
        duplicate.with_user(self.agent).action_merge(main)
        self.assertEqual(duplicate.state, "cancelled")
        self.assertEqual(duplicate.merged_into_id, main)
        self.assertIn(duplicate, main.merged_case_ids)
        self.assertIn(main.name, duplicate.cancel_reason)
        self.assertTrue(main.message_ids.filtered(lambda m: duplicate.name in m.body))
        self.assertNotIn("13700000005", str(main.message_ids.mapped("body")), "no caller data for the unit")
        self.assertEqual(duplicate.sudo().log_ids.action, "merge")
        self.assertIn("merge_in", main.sudo().log_ids.mapped("action"))

    def test_merge_refused(self):
        main = self._new_case()
        duplicate = self._new_case()
        with self.assertRaises(UserError):
            main.with_user(self.agent).action_merge(main)
        closed = self._new_case(resolution_note="已答复")
        closed.with_user(self.agent).action_close_on_call()
        with self.assertRaises(UserError):
            duplicate.with_user(self.agent).action_merge(closed)
        with self.assertRaises(AccessError):
            duplicate.with_user(self.unit_user_a).action_merge(main)
        dispatched = self._dispatched_case()
        with self.assertRaises(AccessError):
            dispatched.with_user(self.agent).action_merge(main)
        dispatched.with_user(self.dispatcher).action_merge(main)
        self.assertEqual(dispatched.state, "cancelled")

    def test_merge_wizard(self):
        main = self._new_case()
        duplicate = self._new_case()
        action = duplicate.with_user(self.agent).action_open_merge_wizard()
        wizard_model = self.env["hotline.case.merge.wizard"].with_user(self.agent)
        wizard_form = Form(wizard_model.with_context(**action["context"]))
        self.assertEqual(wizard_form.target_id, main)
        wizard_form.save().action_merge()
        self.assertEqual(duplicate.merged_into_id, main)
